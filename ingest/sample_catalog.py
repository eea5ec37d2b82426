"""What the synthetic SAMPLE catalog is made of: devices, architectures, datasets, services and their ranges.

Pure data and crude performance models; :mod:`ingest.sample` draws cards from
them. Units follow the MRM3 cards: carbon in grams CO2, energy in joules, time
in seconds, sizes in bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

JOULES_PER_KWH = 3.6e6
FIRST_DAY = date(2023, 1, 1).toordinal()
DAYS = date(2025, 12, 31).toordinal() - FIRST_DAY + 1
TRAINING_UNMEASURED = 0.15
INFERENCE_UNMEASURED = 0.10
# Cards whose training was not metered mostly come from the same unmetered
# setup, so their inference runs are usually unmetered too (as in MRM3).
INFERENCE_UNMEASURED_AFTER_UNMETERED_TRAINING = 0.6


@dataclass(frozen=True, slots=True)
class Device:
    """A machine: its card ``device`` block and a crude performance model."""

    spec: dict[str, Any]
    edge: bool
    cpu_flops: float  # effective FLOP/s on the CPU
    gpu_flops: float = 0.0  # effective FLOP/s on the GPU at large batches
    gpu_half_batch: float = 16.0  # batch size at which the GPU is half used
    slowdown: float = 1.0  # framework overhead relative to a server core
    power_w: float = 150.0  # extra watts drawn at full inference load
    train_cpu_w: float = 0.0
    train_gpu_w: float = 0.0  # per GPU
    train_speed: float = 1.0  # relative to an A100


CPU_SERVER = Device(
    {"CPU": "AMD EPYC 75F3 32-Core Processor", "GPU": 0, "RAM": "512G", "numCores": 128},
    edge=False, cpu_flops=1.5e12, gpu_half_batch=2.0, power_w=160.0, train_cpu_w=220.0,
)  # fmt: skip
A100_SERVER = Device(
    {"CPU": "Intel Xeon Gold 6338 CPU @ 2.00GHz", "GPU": 8, "GPUModel": "NVIDIA A100-SXM4-80GB", "RAM": "1T",
     "numCores": 64},
    edge=False, cpu_flops=1.0e12, gpu_flops=1.5e14, power_w=230.0, train_cpu_w=180.0, train_gpu_w=330.0,
)  # fmt: skip
A6000_SERVER = Device(
    {"CPU": "AMD EPYC 7313 16-Core Processor", "GPU": 4, "GPUModel": "NVIDIA RTX A6000", "RAM": "256G", "numCores": 32},
    edge=False, cpu_flops=5.0e11, gpu_flops=8.0e13, power_w=200.0, train_cpu_w=120.0, train_gpu_w=260.0,
    train_speed=1.7,
)  # fmt: skip
RASPBERRY_PI = Device(
    {"CPU": "Raspberry Pi 4 Model B (ARM Cortex-A72)", "GPU": 0, "RAM": "4G", "numCores": 4},
    edge=True, cpu_flops=8.0e9, slowdown=6.0, power_w=4.5,
)  # fmt: skip
JETSON_NANO = Device(
    {"CPU": "NVIDIA Jetson Nano (ARM Cortex-A57)", "GPU": 1, "GPUModel": "NVIDIA Maxwell 128-core", "RAM": "4G",
     "numCores": 4},
    edge=True, cpu_flops=5.0e9, gpu_flops=2.5e11, gpu_half_batch=4.0, slowdown=7.0, power_w=7.5,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Arch:
    """An architecture: how big, how costly and how good it is."""

    type: str
    deep: bool
    size: float  # bytes
    flops: float  # per sample
    skill: float  # 0 (baseline) .. 1 (state of the art) on this service
    train_s: float  # fit seconds on a medium dataset (4 A100s when deep)
    overhead_s: float  # per-request framework overhead on a server


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset and how hard it is.

    For classification ``floor``/``ceiling`` bound the headline score
    (accuracy, or ROC AUC for anomaly detection) and ``extra`` is the anomaly
    rate. For regression they are the worst and best MAE in metres and
    ``extra`` is the spread (std) of the target distance.
    """

    name: str
    size: int
    scale: float  # training cost relative to a medium dataset
    floor: float
    ceiling: float
    extra: float = 0.0


@dataclass(frozen=True, slots=True)
class Service:
    """A service: one problem type, its datasets and the architectures that serve it."""

    name: str
    problem: str
    min_accuracy: float
    min_latency: float
    datasets: tuple[Dataset, ...]
    archs: tuple[Arch, ...]

    @property
    def slug(self) -> str:
        return self.name.replace(" ", "-")


SERVICES: tuple[Service, ...] = (
    Service(
        "image classification", "Classification", 0.9, 0.1,
        (
            Dataset("cifar10", 170_498_071, 1.0, 0.42, 0.985),
            Dataset("cifar100", 169_001_437, 1.0, 0.18, 0.915),
            Dataset("fashion-mnist", 30_878_645, 0.6, 0.84, 0.958),
            Dataset("imagenet-subset", 1_557_161_267, 4.0, 0.30, 0.952),
        ),
        (
            Arch("RandomForestClassifier", False, 1.8e8, 6.0e3, 0.10, 240.0, 0.012),
            Arch("MobileNetV3-Small", True, 1.02e7, 1.2e8, 0.68, 900.0, 0.0012),
            Arch("ResNet18", True, 4.68e7, 3.6e9, 0.78, 1800.0, 0.0010),
            Arch("EfficientNet-B0", True, 2.12e7, 7.8e8, 0.84, 2400.0, 0.0015),
            Arch("ResNet50", True, 1.02e8, 8.2e9, 0.88, 4200.0, 0.0012),
            Arch("ViT-B/16", True, 3.46e8, 3.52e10, 0.97, 9000.0, 0.0018),
        ),
    ),
    Service(
        "text classification", "Classification", 0.88, 0.2,
        (
            Dataset("sst2", 7_439_277, 0.5, 0.79, 0.962),
            Dataset("agnews", 31_033_166, 1.2, 0.88, 0.955),
            Dataset("imdb", 84_125_825, 1.5, 0.86, 0.958),
            Dataset("yelp-polarity", 166_373_201, 3.0, 0.89, 0.978),
        ),
        (
            Arch("LogisticRegression", False, 2.4e6, 2.0e4, 0.30, 45.0, 0.0004),
            Arch("TinyBERT", True, 5.8e7, 1.2e9, 0.70, 1200.0, 0.0020),
            Arch("DistilBERT", True, 2.68e8, 1.1e10, 0.85, 3000.0, 0.0022),
            Arch("BERT-base", True, 4.4e8, 2.2e10, 0.92, 5400.0, 0.0025),
            Arch("RoBERTa-base", True, 5.0e8, 2.4e10, 0.97, 6000.0, 0.0025),
        ),
    ),
    Service(
        "anomaly detection", "Classification", 0.95, 0.05,
        (
            Dataset("creditcard-fraud", 150_828_752, 1.5, 0.86, 0.985, 0.0017),
            Dataset("kddcup99-network", 18_115_170, 0.8, 0.84, 0.994, 0.05),
            Dataset("smd-server-machine", 58_211_004, 1.0, 0.74, 0.962, 0.04),
        ),
        (
            Arch("OneClassSVM", False, 3.1e6, 6.0e4, 0.22, 160.0, 0.0030),
            Arch("IsolationForest", False, 1.5e6, 3.2e3, 0.38, 30.0, 0.0080),
            Arch("RandomForestClassifier", False, 9.0e7, 6.0e3, 0.70, 200.0, 0.0120),
            Arch("XGBClassifier", False, 1.2e6, 2.4e3, 0.80, 90.0, 0.0010),
            Arch("LSTM-Autoencoder", True, 8.4e6, 4.5e7, 0.86, 1500.0, 0.0020),
        ),
    ),
    Service(
        # minAccuracy/minLatency 0 as on MRM3's own localization cards, so the
        # shared Service node keeps the same properties when both are loaded.
        "localization", "Regression", 0.0, 0.0,
        (
            Dataset("indoor-wifi-rss", 4_372_211, 0.4, 6.5, 1.8, 9.0),
            Dataset("ble-rssi-office", 1_184_350, 0.2, 4.2, 1.2, 6.5),
            Dataset("uwb-tdoa-warehouse", 12_845_902, 0.8, 0.95, 0.12, 1.6),
        ),
        (
            Arch("LinearRegression", False, 1.7e3, 1.4e2, 0.08, 0.5, 0.0002),
            Arch("KNeighborsRegressor", False, 0.0, 5.0e5, 0.55, 1.0, 0.0020),
            Arch("MLPRegressor", False, 6.0e5, 5.0e4, 0.62, 60.0, 0.0004),
            Arch("RandomForestRegressor", False, 4.0e7, 4.0e3, 0.72, 40.0, 0.0100),
            Arch("XGBRegressor", False, 5.3e5, 2.1e3, 0.80, 4.0, 0.0008),
            Arch("CNN1D", True, 3.6e6, 2.4e7, 0.88, 600.0, 0.0015),
        ),
    ),
)  # fmt: skip

HYPERPARAMETERS: dict[str, dict[str, tuple[Any, ...]]] = {
    "cnn": {
        "learning_rate": (0.1, 0.01, 0.001, 0.0003), "batch_size": (64, 128, 256),
        "epochs": (30, 50, 90), "weight_decay": (0.0001, 0.0005),
    },
    "nlp": {
        "learning_rate": (2e-05, 3e-05, 5e-05), "batch_size": (16, 32),
        "epochs": (2, 3, 4), "max_seq_length": (128, 256), "warmup_ratio": (0.0, 0.06, 0.1),
    },
    "LSTM-Autoencoder": {
        "learning_rate": (0.001, 0.0005), "hidden_size": (32, 64, 128),
        "num_layers": (1, 2), "window_size": (50, 100), "epochs": (20, 40),
    },
    "LinearRegression": {"fit_intercept": (True,)},
    "LogisticRegression": {"C": (0.1, 1.0, 10.0), "penalty": ("l2",), "max_iter": (1000,)},
    "KNeighborsRegressor": {"n_neighbors": (3, 5, 10), "weights": ("uniform", "distance")},
    "MLPRegressor": {
        "hidden_layer_sizes": ("(64,)", "(128, 64)", "(256, 128)"),
        "alpha": (0.0001, 0.001), "learning_rate_init": (0.001, 0.0005),
    },
    "forest": {"n_estimators": (100, 200, 500), "max_depth": (10, 20, 30), "min_samples_leaf": (1, 2, 4)},
    "boost": {"learning_rate": (0.05, 0.1, 0.3), "max_depth": (3, 5, 10), "n_estimators": (50, 100, 200)},
    "IsolationForest": {"n_estimators": (100, 200), "contamination": (0.01, 0.05), "max_samples": ("auto", 256)},
    "OneClassSVM": {"nu": (0.01, 0.05, 0.1), "kernel": ("rbf",), "gamma": ("scale", "auto")},
}  # fmt: skip
HYPER_GROUP = {
    "RandomForestClassifier": "forest", "RandomForestRegressor": "forest",
    "XGBClassifier": "boost", "XGBRegressor": "boost",
    "TinyBERT": "nlp", "DistilBERT": "nlp", "BERT-base": "nlp", "RoBERTa-base": "nlp",
    "MobileNetV3-Small": "cnn", "ResNet18": "cnn", "EfficientNet-B0": "cnn",
    "ResNet50": "cnn", "ViT-B/16": "cnn", "CNN1D": "cnn",
}  # fmt: skip
GRID = ("gridsearch",)
OPTIMIZERS = {
    "cnn": ("sgd", "adam", "adamw"), "nlp": ("adamw", "adamw", "adam"),
    "LSTM-Autoencoder": ("adam",), "MLPRegressor": ("adam",),
}  # fmt: skip
# Keyed by architecture type, so the shared ModelArchitecture node always gets
# the same explainability whichever service's card is ingested first.
EXPLAINABILITY = {
    "RandomForestClassifier": "feature importances",
    "RandomForestRegressor": "feature importances", "IsolationForest": "path lengths",
    "XGBClassifier": "SHAP", "XGBRegressor": "SHAP", "LogisticRegression": "coefficients",
    "LinearRegression": "coefficients", "MobileNetV3-Small": "Grad-CAM",
    "ResNet18": "Grad-CAM", "EfficientNet-B0": "Grad-CAM", "ResNet50": "Grad-CAM",
    "ViT-B/16": "attention rollout", "TinyBERT": "attention weights",
    "DistilBERT": "attention weights", "BERT-base": "attention weights",
    "LSTM-Autoencoder": "reconstruction error",
}  # fmt: skip

FOLDS = {"KFold": 5, "StratifiedKFold": 5, "LeaveOneGroupOut": 4, "Random": 1, "Holdout": 1}
DEEP_SPLITS = ("Holdout", "Holdout", "Random")
CLASSIC_SPLITS = {
    "Classification": ("StratifiedKFold", "StratifiedKFold", "KFold", "Holdout"),
    "Regression": ("KFold", "KFold", "Random", "LeaveOneGroupOut", "Holdout"),
}
VERSIONS = ("1.0", "1.0", "1.0", "1.1", "2.0")
SERVER_BATCHES = (1, 8, 32, 64)
EDGE_BATCHES = (1, 1, 4, 8)
