#!/usr/bin/env python3
"""Evidence for aigis' pickle allowlists.

Creates small, real objects of each supported library, serialises them the
ways real model files are made (pickle protocols 0-5; joblib.dump plain and
compressed; np.save/np.savez; torch.save in the zip and legacy formats;
torch.jit.save), and lists every global each file references. The listing is
static (staticpickle.py): no file is ever unpickled.

    python tools/policy/collect.py --tag latest          # writes out/latest.json, out/latest.txt
    python tools/policy/collect.py --check out/*.json    # every collected name vs the data files

Libraries that are not installed are skipped (and said so in the output).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import decimal
import fractions
import inspect
import io
import json
import os
import pathlib
import pickle
import platform
import sys
import tempfile
import traceback
import uuid
import warnings
from collections import Counter, OrderedDict, defaultdict, deque

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import staticpickle as sp  # noqa: E402

DATA = HERE.parent.parent / "crates" / "scan" / "data" / "pickle"

warnings.filterwarnings("ignore")
os.environ.setdefault("PYTHONWARNINGS", "ignore")


# ---------------------------------------------------------------------------
# Object builders. Each yields (name, object). A builder that raises loses
# only the object it was making; the failure is listed in the report.
# ---------------------------------------------------------------------------


def build_python():
    yield "list-dict-tuple", [1, 2.5, "s", b"b", None, True, (1, 2), {"a": [1, {"b": 2}]}]
    yield "set-frozenset", {"set": {1, 2, 3}, "frozen": frozenset({4, 5})}
    yield "bytearray-complex", [bytearray(b"xyz"), complex(1, 2)]
    yield "slice-range", [slice(1, 10, 2), range(3, 9, 2)]
    yield "ellipsis-notimplemented", [Ellipsis, NotImplemented]
    yield "builtin-types", [int, float, str, bool, bytes, list, dict, tuple, set, frozenset, complex, object]
    yield "nonetype", type(None)
    yield "big-int", 2**200
    yield "collections", [
        OrderedDict(a=1, b=2),
        defaultdict(list, a=[1]),
        Counter("hello"),
        deque([1, 2, 3], maxlen=5),
    ]
    from collections import ChainMap, UserDict, UserList, UserString, namedtuple

    yield "collections-more", [ChainMap({"a": 1}, {"b": 2}), UserDict(a=1), UserList([1]), UserString("s")]
    yield "datetime", [
        _dt.datetime(2024, 1, 2, 3, 4, 5, 6),
        _dt.date(2024, 1, 2),
        _dt.time(3, 4, 5),
        _dt.timedelta(days=1, seconds=2),
        _dt.datetime(2024, 1, 2, tzinfo=_dt.timezone.utc),
        _dt.timezone(_dt.timedelta(hours=2), "X"),
    ]
    try:
        import zoneinfo

        yield "zoneinfo", _dt.datetime(2024, 1, 2, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    except Exception:
        pass
    yield "decimal-fraction", [decimal.Decimal("1.25"), fractions.Fraction(3, 4)]
    yield "uuid", uuid.UUID("12345678-1234-5678-1234-567812345678")
    yield "pathlib", [pathlib.PurePosixPath("/a/b"), pathlib.PureWindowsPath("c:/a"), pathlib.Path("/tmp/x")]
    import argparse as _ap

    yield "argparse-namespace", _ap.Namespace(lr=0.1, layers=[1, 2], name="x")
    import re

    yield "regex", re.compile(r"(?u)\b\w\w+\b")
    yield "timezone-utc", _dt.timezone.utc
    del namedtuple


def build_numpy():
    import numpy as np

    dtypes = [
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float16", "float32", "float64", "longdouble", "complex64", "complex128", "clongdouble",
        "datetime64[ns]", "datetime64[D]", "timedelta64[s]", "U7", "S5", "V4", ">f8", "<i4",
    ]
    for dt in dtypes:
        with contextlib.suppress(Exception):
            yield f"array-{dt}", np.zeros((2, 3), dtype=dt)
    yield "array-0d", np.array(3.5)
    yield "array-fortran", np.asfortranarray(np.arange(6.0).reshape(2, 3))
    yield "array-noncontig", np.arange(20.0)[::3]
    yield "array-empty", np.empty((0, 4))
    obj = np.empty(5, dtype=object)
    obj[:] = ["a", None, {"k": 1}, np.arange(3), (1, 2)]
    yield "array-object", obj
    yield "array-object-str", np.array(["x", "yy", "zzz"], dtype=object)
    rec = np.zeros(3, dtype=[("a", "i4"), ("b", "f8", (2,)), ("c", "U3"), ("d", [("x", "u1"), ("y", "f4")])])
    yield "array-structured", rec
    yield "array-structured-object", np.array([(1, "a")], dtype=[("n", "i8"), ("o", "O")])
    yield "recarray", rec.view(np.recarray)
    yield "record-scalar", rec[0]
    yield "matrix", np.matrix([[1, 2], [3, 4]])
    yield "masked-array", np.ma.array([1.0, 2.0, 3.0], mask=[0, 1, 0])
    yield "masked-structured", np.ma.array(np.zeros(2, dtype=[("a", "i4"), ("b", "f4")]))
    yield "masked-constant", np.ma.masked
    scalars = [np.float64(1.5), np.float32(2.5), np.float16(1), np.int64(3), np.int32(4), np.int8(5),
               np.uint8(6), np.uint64(7), np.bool_(True), np.complex128(1 + 2j), np.str_("s"),
               np.bytes_(b"b"), np.datetime64("2024-01-02"), np.timedelta64(3, "s"), np.longdouble(1.25)]
    yield "scalars", scalars
    yield "scalar-types", [np.float64, np.float32, np.int64, np.int32, np.bool_, np.object_, np.str_, np.uint8,
                           np.complex128, np.datetime64, np.ndarray, np.generic, np.number]
    yield "dtypes", [np.dtype("f8"), np.dtype(">i2"), np.dtype("U4"), np.dtype("O"), rec.dtype,
                     np.dtype("datetime64[ms]"), np.dtype(("f4", (2, 2)))]
    with contextlib.suppress(Exception):
        yield "stringdtype", np.array(["a", "bb"], dtype=np.dtypes.StringDType())
    with contextlib.suppress(Exception):
        yield "dtype-classes", [type(np.dtype("f8")), type(np.dtype("O"))]
    yield "random-RandomState", np.random.RandomState(0)
    yield "random-default_rng", np.random.default_rng(0)
    for bg in ("MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64"):
        with contextlib.suppress(Exception):
            yield f"random-{bg}", getattr(np.random, bg)(1)
            yield f"random-Generator-{bg}", np.random.Generator(getattr(np.random, bg)(1))
    yield "random-SeedSequence", np.random.SeedSequence(42)
    yield "poly1d", np.poly1d([1, 2, 3])
    yield "polynomial", np.polynomial.Polynomial([1, 2, 3])
    yield "chebyshev", np.polynomial.Chebyshev([1, 2])
    # Functions people do pickle (e.g. FunctionTransformer(func=np.log1p)).
    # They are listed to learn their spelling; see numpy.txt for the verdict.
    yield "ufunc", np.log1p
    yield "python-function", np.mean
    with contextlib.suppress(Exception):
        tmp = tempfile.NamedTemporaryFile(delete=False)
        mm = np.memmap(tmp.name, dtype="f4", mode="w+", shape=(4,))
        yield "memmap", mm


def build_scipy():
    import numpy as np
    import scipy.sparse as ss

    dense = np.array([[0, 1.5, 0], [2, 0, 0], [0, 0, 3.25]])
    for fmt in ("csr", "csc", "coo", "bsr", "dia", "dok", "lil"):
        yield f"{fmt}_matrix", getattr(ss, f"{fmt}_matrix")(dense)
        with contextlib.suppress(Exception):
            yield f"{fmt}_array", getattr(ss, f"{fmt}_array")(dense)
    yield "csr-int-bool", [ss.csr_matrix(dense.astype("int32")), ss.csr_matrix(dense > 0)]
    yield "sparse-random", ss.random(20, 10, density=0.2, format="csr", random_state=0)
    from scipy import stats

    yield "stats-frozen", [stats.norm(0, 1), stats.uniform(0, 1), stats.randint(1, 5), stats.loguniform(1e-3, 1),
                           stats.expon(scale=2), stats.beta(2, 3)]
    from scipy import interpolate, spatial

    x = np.linspace(0, 1, 6)
    yield "interp1d", interpolate.interp1d(x, x**2)
    with contextlib.suppress(Exception):
        yield "CubicSpline", interpolate.CubicSpline(x, x**2)
    yield "cKDTree", spatial.cKDTree(np.random.RandomState(0).rand(10, 2))
    yield "KDTree", spatial.KDTree(np.random.RandomState(0).rand(10, 2))
    with contextlib.suppress(Exception):
        from scipy.spatial.transform import Rotation

        yield "Rotation", Rotation.from_euler("z", 30, degrees=True)


def _sk_data():
    import numpy as np
    from sklearn.datasets import make_classification, make_regression

    Xc, yc = make_classification(n_samples=60, n_features=6, n_informative=4, n_redundant=0, n_classes=3,
                                 random_state=0)
    Xr, yr = make_regression(n_samples=60, n_features=6, random_state=0)
    Xp = np.abs(Xc)
    return Xc, yc, Xr, yr, Xp


def _sk_instance(name, Est):
    from sklearn.base import is_classifier, is_regressor
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    params = {}
    sig = inspect.signature(Est.__init__).parameters
    try:
        reg = is_regressor(Est())
    except Exception:
        reg = "Regressor" in name
    for key in ("estimator", "base_estimator"):
        if key in sig and sig[key].default is inspect.Parameter.empty:
            if name in ("RFE", "RFECV", "SelectFromModel", "SequentialFeatureSelector"):
                params[key] = LogisticRegression(max_iter=200)
            else:
                params[key] = LinearRegression() if reg else LogisticRegression(max_iter=200)
    if "estimators" in sig and sig["estimators"].default is inspect.Parameter.empty:
        params["estimators"] = (
            [("lr", LinearRegression()), ("dt", DecisionTreeRegressor(max_depth=2))]
            if reg else
            [("lr", LogisticRegression(max_iter=200)), ("dt", DecisionTreeClassifier(max_depth=2))]
        )
    if name == "ColumnTransformer":
        params["transformers"] = [("sc", StandardScaler(), [0, 1]), ("pca", PCA(2), [2, 3, 4])]
    if name == "FeatureUnion":
        params["transformer_list"] = [("pca", PCA(2)), ("sc", StandardScaler())]
    if name == "Pipeline":
        params["steps"] = [("sc", StandardScaler()), ("lr", LogisticRegression(max_iter=200))]
    if name == "GridSearchCV":
        params["param_grid"] = {"C": [0.1, 1.0]}
        params["cv"] = 2
    if name == "RandomizedSearchCV":
        from scipy.stats import loguniform

        params["param_distributions"] = {"C": loguniform(1e-2, 1e1)}
        params["n_iter"] = 2
        params["cv"] = 2
    if name in ("GaussianRandomProjection", "SparseRandomProjection"):
        params["n_components"] = 2
    if name in ("CCA", "PLSCanonical", "PLSSVD"):
        params["n_components"] = 1
    if name == "SelfTrainingClassifier":
        params["estimator" if "estimator" in sig else "base_estimator"] = LogisticRegression(max_iter=200)
    if name == "SelectKBest":
        params["k"] = 3
    if name == "QuantileRegressor":
        params["solver"] = "highs"
    if name == "SparseCoder":
        import numpy as np

        params["dictionary"] = np.eye(6)[:3]
    if name in ("RFECV", "SequentialFeatureSelector", "TunedThresholdClassifierCV", "StackingClassifier",
                "StackingRegressor"):
        params["cv"] = 2
    if name == "TunedThresholdClassifierCV":
        params["cv"] = 2
    return Est(**params)


def _sk_fit(name, est, data):
    import numpy as np
    from sklearn.base import is_classifier, is_regressor

    Xc, yc, Xr, yr, Xp = data
    yb = (yc > 0).astype(int)
    text = ["the cat sat", "a dog ran", "the dog sat down", "cats and dogs"]
    if name in ("CountVectorizer", "TfidfVectorizer", "HashingVectorizer"):
        return est.fit(text)
    if name == "TfidfTransformer":
        return est.fit(np.array([[1, 0, 2], [0, 1, 1]]))
    if name == "DictVectorizer":
        return est.fit([{"a": 1, "b": "x"}, {"a": 2, "c": 3.5}])
    if name == "FeatureHasher":
        return est.fit([{"a": 1}])
    if name in ("LabelEncoder",):
        return est.fit(["paris", "tokyo", "paris", "amsterdam"])
    if name == "LabelBinarizer":
        return est.fit(["a", "b", "c", "a"])
    if name == "MultiLabelBinarizer":
        return est.fit([{"sci-fi", "thriller"}, {"comedy"}])
    if name == "IsotonicRegression":
        return est.fit(np.arange(10.0), np.arange(10.0) ** 0.5)
    if name == "KernelCenterer":
        K = Xc[:6] @ Xc[:6].T
        return est.fit(K)
    if name == "PatchExtractor":
        return est.fit(np.random.RandomState(0).rand(2, 8, 8))
    if name in ("OneHotEncoder", "OrdinalEncoder"):
        return est.fit(np.array([["a", 1], ["b", 2], ["a", 3]], dtype=object))
    if name == "TargetEncoder":
        return est.fit(np.array([["a"], ["b"], ["a"], ["c"]] * 5, dtype=object), [0, 1, 0, 1] * 5)
    if name in ("MultiOutputClassifier", "ClassifierChain"):
        return est.fit(Xc, np.c_[yb, 1 - yb])
    if name.startswith("MultiTask"):
        return est.fit(Xr, np.c_[yr, yr * 2])
    if name in ("MultiOutputRegressor", "RegressorChain"):
        return est.fit(Xr, np.c_[yr, yr * 2])
    if name in ("FixedThresholdClassifier", "TunedThresholdClassifierCV"):
        return est.fit(Xc, yb)
    if name == "FrozenEstimator":
        return est
    if is_classifier(est):
        try:
            return est.fit(Xc, yc)
        except Exception:
            return est.fit(Xp, yc)
    if is_regressor(est):
        try:
            return est.fit(Xr, yr)
        except Exception:
            return est.fit(np.abs(Xr), np.abs(yr))
    for X in (Xc, Xp):
        for args in ((X, yc), (X,)):
            try:
                return est.fit(*args)
            except Exception:
                continue
    raise RuntimeError("could not fit")


def build_sklearn():
    import numpy as np
    from sklearn.utils import all_estimators

    data = _sk_data()
    for name, Est in sorted(all_estimators(), key=lambda t: t[0]):
        try:
            est = _sk_instance(name, Est)
        except Exception as e:  # noqa: BLE001
            yield f"FAILED:{name}:construct", e
            continue
        yield f"{name}(unfitted)", est
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fitted = _sk_fit(name, _sk_instance(name, Est), data)
            yield f"{name}(fitted)", fitted
        except Exception as e:  # noqa: BLE001
            yield f"FAILED:{name}:fit", e

    # Pipelines and preprocessing the way models are shipped.
    import pandas as pd
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor, make_column_selector
    from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
    from sklearn.svm import SVC
    from sklearn.decomposition import PCA

    Xc, yc, Xr, yr, Xp = data
    df = pd.DataFrame({
        "num": np.linspace(0, 1, 60),
        "num2": np.arange(60.0),
        "cat": np.array(["a", "b", "c"] * 20, dtype=object),
    })
    ct = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), make_column_selector(dtype_include=np.number)),
        ("cat", OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_include=object)),
    ])
    yield "pipeline-columntransformer-df", make_pipeline(ct, LogisticRegression(max_iter=300)).fit(df, yc)
    yield "pipeline-text", make_pipeline(TfidfVectorizer(), SGDClassifier()).fit(
        ["good movie", "bad movie", "great film", "awful film"] * 5, [1, 0, 1, 0] * 5)
    yield "pipeline-union", make_pipeline(make_union(PCA(2), StandardScaler()), SVC(probability=True)).fit(Xc, yc)
    yield "hgb-categorical", HistGradientBoostingClassifier(max_iter=5, categorical_features=[0]).fit(
        np.c_[np.arange(60) % 3, Xc[:, 1:]], yc)
    yield "gb-binary", GradientBoostingClassifier(n_estimators=5).fit(Xc, (yc > 0).astype(int))
    yield "rf-string-labels", RandomForestClassifier(n_estimators=3).fit(Xc, np.array(["x", "y", "z"])[yc])
    yield "knn-kd", KNeighborsClassifier(algorithm="kd_tree").fit(Xc, yc)
    yield "knn-ball", KNeighborsClassifier(algorithm="ball_tree").fit(Xc, yc)
    yield "ttr-log", TransformedTargetRegressor(regressor=Ridge(), func=np.log1p, inverse_func=np.expm1).fit(
        np.abs(Xr), np.abs(yr))
    yield "function-transformer-numpy", FunctionTransformer(np.log1p).fit(Xp)
    from sklearn.datasets import load_iris

    yield "bunch-iris", load_iris()
    from sklearn.metrics import make_scorer, f1_score

    yield "scorer", make_scorer(f1_score, average="macro")


def build_pandas():
    import numpy as np
    import pandas as pd

    n = 6
    cols = {
        "int": np.arange(n),
        "float": np.linspace(0, 1, n),
        "bool": np.arange(n) % 2 == 0,
        "obj": np.array(list("abcdef"), dtype=object),
        "cat": pd.Categorical(list("xyxyzz")),
        "cat_ordered": pd.Categorical(list("abcabc"), ordered=True),
        "dt": pd.date_range("2024-01-01", periods=n, freq="D"),
        "dt_utc": pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC"),
        "dt_paris": pd.date_range("2024-01-01", periods=n, freq="h", tz="Europe/Paris"),
        "td": pd.to_timedelta(np.arange(n), unit="s"),
        "period": pd.period_range("2024-01", periods=n, freq="M"),
        "interval": pd.interval_range(0, n),
        "sparse": pd.arrays.SparseArray([0, 0, 1, 0, 2, 0]),
        "Int64": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
        "Float64": pd.array([1.5, None, 3, 4, 5, 6], dtype="Float64"),
        "boolean": pd.array([True, None, False, True, True, False], dtype="boolean"),
        "string": pd.array(list("abcdef"), dtype="string"),
    }
    for k, v in cols.items():
        with contextlib.suppress(Exception):
            yield f"series-{k}", pd.Series(v, name=k)
    with contextlib.suppress(Exception):
        yield "string-python", pd.array(list("ab"), dtype=pd.StringDtype("python"))
    try:
        import pyarrow  # noqa: F401

        yield "string-pyarrow", pd.Series(list("ab"), dtype="string[pyarrow]")
        yield "arrow-dtype", pd.Series([1, 2], dtype="int64[pyarrow]")
    except Exception:
        pass
    yield "dataframe-all", pd.DataFrame({k: v for k, v in cols.items()})
    yield "dataframe-simple", pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]})
    yield "multiindex", pd.DataFrame(np.arange(8).reshape(4, 2),
                                     index=pd.MultiIndex.from_product([["a", "b"], [1, 2]], names=["k", "n"]))
    yield "indexes", [pd.RangeIndex(5), pd.Index([1.5, 2.5]), pd.Index(["a", "b"]), pd.Index([1, 2], dtype="int64"),
                      pd.CategoricalIndex(list("aab")), pd.DatetimeIndex(["2024-01-01", "2024-02-01"]),
                      pd.date_range("2024-01-01", periods=3, freq="B"), pd.TimedeltaIndex(["1D", "2D"]),
                      pd.period_range("2024Q1", periods=2, freq="Q"), pd.IntervalIndex.from_breaks([0, 1, 2])]
    yield "scalars", [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-01", tz="UTC"), pd.Timedelta("1D"),
                      pd.Period("2024-01", freq="M"), pd.Interval(0, 1), pd.NaT, pd.NA]
    yield "offsets", [pd.offsets.Day(2), pd.offsets.MonthEnd(), pd.offsets.BusinessDay(), pd.offsets.Hour(3),
                      pd.offsets.Week(weekday=0), pd.offsets.QuarterEnd(startingMonth=3)]
    yield "dtypes", [pd.CategoricalDtype(["a", "b"]), pd.DatetimeTZDtype(tz="UTC"), pd.PeriodDtype("M"),
                     pd.IntervalDtype("int64"), pd.SparseDtype("float64"), pd.Int64Dtype(), pd.StringDtype()]
    with contextlib.suppress(Exception):
        import pytz

        yield "pytz-tz", pd.Timestamp("2024-01-01", tz=pytz.timezone("US/Eastern"))
        yield "pytz-utc", pytz.utc


def build_joblib_extras():
    # joblib's own classes appear in every joblib.dump of an array; see the
    # "joblib" variants of every other object. Nothing extra to build here.
    return iter(())


def build_xgboost():
    import numpy as np
    import xgboost as xgb

    Xc, yc, Xr, yr, Xp = _sk_data()
    yield "XGBClassifier", xgb.XGBClassifier(n_estimators=3, max_depth=2).fit(Xc, yc)
    yield "XGBClassifier-binary", xgb.XGBClassifier(n_estimators=3, max_depth=2).fit(Xc, (yc > 0).astype(int))
    yield "XGBRegressor", xgb.XGBRegressor(n_estimators=3, max_depth=2).fit(Xr, yr)
    yield "XGBRFClassifier", xgb.XGBRFClassifier(n_estimators=3, max_depth=2).fit(Xc, yc)
    yield "XGBRFRegressor", xgb.XGBRFRegressor(n_estimators=3, max_depth=2).fit(Xr, yr)
    with contextlib.suppress(Exception):
        yield "XGBRanker", xgb.XGBRanker(n_estimators=3).fit(Xr, (np.arange(60) % 3), qid=np.repeat(np.arange(6), 10))
    booster = xgb.train({"max_depth": 2}, xgb.DMatrix(Xr, label=yr), num_boost_round=3)
    yield "Booster", booster
    yield "XGBClassifier-unfitted", xgb.XGBClassifier()


def build_lightgbm():
    import lightgbm as lgb
    import numpy as np

    Xc, yc, Xr, yr, Xp = _sk_data()
    yield "LGBMClassifier", lgb.LGBMClassifier(n_estimators=3, verbose=-1).fit(Xc, yc)
    yield "LGBMClassifier-binary", lgb.LGBMClassifier(n_estimators=3, verbose=-1).fit(Xc, (yc > 0).astype(int))
    yield "LGBMRegressor", lgb.LGBMRegressor(n_estimators=3, verbose=-1).fit(Xr, yr)
    with contextlib.suppress(Exception):
        yield "LGBMRanker", lgb.LGBMRanker(n_estimators=3, verbose=-1).fit(Xr, np.arange(60) % 3, group=[10] * 6)
    yield "Booster", lgb.train({"verbose": -1}, lgb.Dataset(Xr, label=yr), num_boost_round=3)
    yield "LGBMClassifier-unfitted", lgb.LGBMClassifier()


def build_omegaconf():
    from omegaconf import DictConfig, ListConfig, OmegaConf

    cfg = OmegaConf.create({
        "model": {"name": "resnet", "layers": [1, 2, 3], "lr": 0.1, "flag": True, "none": None},
        "data": {"path": "/data", "ref": "${model.name}", "missing": "???"},
        "list": [{"a": 1}, [1, 2]],
    })
    yield "DictConfig", cfg
    yield "ListConfig", OmegaConf.create([1, "a", {"b": 2.5}])
    ro = OmegaConf.create({"a": 1})
    OmegaConf.set_readonly(ro, True)
    OmegaConf.set_struct(ro, True)
    yield "DictConfig-flags", ro
    yield "container-in-dict", {"hyper_parameters": cfg, "list": ListConfig([1, 2]), "dc": DictConfig({"x": 1})}
    with contextlib.suppress(Exception):
        from dataclasses import dataclass as _dc

        import enum

        # Typed nodes: a structured config made from a dataclass defined in
        # omegaconf's own test-free namespace is not possible without a user
        # module, so use the node classes directly.
        from omegaconf import nodes

        yield "nodes", OmegaConf.create({
            "i": nodes.IntegerNode(1), "f": nodes.FloatNode(1.5), "s": nodes.StringNode("x"),
            "b": nodes.BooleanNode(True), "a": nodes.AnyNode(None), "by": nodes.BytesNode(b"x")
            if hasattr(nodes, "BytesNode") else nodes.AnyNode(1),
            "p": nodes.PathNode(pathlib.Path("/x")) if hasattr(nodes, "PathNode") else nodes.AnyNode(2),
        })
        del _dc, enum


# -- torch ------------------------------------------------------------------


def torch_nn_layer_classes():
    """Every public nn.Module subclass defined under torch.nn.modules."""
    import torch.nn as nn

    out = []
    for name in sorted(dir(nn)):
        obj = getattr(nn, name)
        if isinstance(obj, type) and issubclass(obj, nn.Module) and obj.__module__.startswith("torch.nn.modules."):
            out.append(obj)
    # Base/private classes that full-model pickles still reference.
    from torch.nn.modules import activation, linear, module

    for extra in (module.Module, getattr(linear, "NonDynamicallyQuantizableLinear", None)):
        if extra is not None and extra not in out:
            out.append(extra)
    del activation
    return out


def _try_make_layer(cls):
    import torch.nn as nn

    trials = [(), (4,), (4, 4), (2, 2, 2), (4, 4, 3)]
    special = {
        "MultiheadAttention": (8, 2),
        "Transformer": None,
        "TransformerEncoderLayer": (8, 2),
        "TransformerDecoderLayer": (8, 2),
        "TransformerEncoder": None,
        "TransformerDecoder": None,
        "Embedding": (10, 4),
        "EmbeddingBag": (10, 4),
        "GroupNorm": (2, 4),
        "LayerNorm": (4,),
        "RMSNorm": (4,),
        "Unflatten": (1, (2, 2)),
        "AdaptiveLogSoftmaxWithLoss": (8, 10, [4, 8]),
        "Bilinear": (4, 4, 4),
        "LocalResponseNorm": (2,),
        "ConstantPad1d": (1, 0.0),
        "ConstantPad2d": (1, 0.0),
        "ConstantPad3d": (1, 0.0),
        "Fold": ((4, 4), 2),
        "Unfold": (2,),
        "ChannelShuffle": (2,),
        "Upsample": (None, 2),
        "UpsamplingNearest2d": (None, 2),
        "UpsamplingBilinear2d": (None, 2),
        "ParameterList": None,
        "ParameterDict": None,
    }
    if cls.__name__ == "TransformerEncoder":
        return nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2), 1, enable_nested_tensor=False)
    if cls.__name__ == "TransformerDecoder":
        return nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2), 1)
    if cls.__name__ == "Transformer":
        return nn.Transformer(8, 2, 1, 1, 16)
    if cls.__name__ == "ParameterList":
        import torch

        return nn.ParameterList([nn.Parameter(torch.zeros(2))])
    if cls.__name__ == "ParameterDict":
        import torch

        return nn.ParameterDict({"w": nn.Parameter(torch.zeros(2))})
    if cls.__name__ in special and special[cls.__name__] is not None:
        trials = [special[cls.__name__]] + trials
    for args in trials:
        try:
            return cls(*args)
        except Exception:
            continue
    return None


def build_torch():
    import torch
    import torch.nn as nn

    torch.manual_seed(0)
    lin = nn.Linear(4, 3)
    yield "state_dict-linear", lin.state_dict()
    cnn = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.1), nn.Linear(4, 2))
    yield "state_dict-cnn", cnn.state_dict()
    yield "full-model-cnn", cnn
    rnn = nn.ModuleDict({"emb": nn.Embedding(10, 4), "lstm": nn.LSTM(4, 4, batch_first=True), "gru": nn.GRU(4, 4)})
    yield "full-model-rnn", rnn
    yield "full-model-transformer", nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 1,
                                                          enable_nested_tensor=False)
    layers = []
    for cls in torch_nn_layer_classes():
        m = _try_make_layer(cls)
        if m is not None:
            layers.append(m)
    yield "full-model-all-layers", nn.ModuleList(layers)
    dtypes = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int8, torch.uint8, torch.int16,
              torch.int32, torch.int64, torch.bool, torch.complex64, torch.complex128]
    for name in ("uint16", "uint32", "uint64", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz",
                 "float8_e5m2fnuz", "float8_e8m0fnu", "complex32"):
        if hasattr(torch, name):
            dtypes.append(getattr(torch, name))
    tensors = {}
    for dt in dtypes:
        with contextlib.suppress(Exception):
            tensors[str(dt)] = torch.zeros(2, 2).to(dt)
    yield "tensors-dtypes", tensors
    yield "tensor-views", {"t": torch.arange(10.0)[2:8:2], "cl": torch.zeros(1, 3, 2, 2).to(
        memory_format=torch.channels_last), "scalar": torch.tensor(1.0), "empty": torch.empty(0)}
    yield "sparse", {"coo": torch.eye(3).to_sparse(), "csr": torch.eye(3).to_sparse_csr(),
                     "csc": torch.eye(3).to_sparse_csc(), "bsr": torch.eye(4).to_sparse_bsr((2, 2)),
                     "bsc": torch.eye(4).to_sparse_bsc((2, 2))}
    yield "quantized", {
        "per_tensor": torch.quantize_per_tensor(torch.rand(4), 0.1, 10, torch.quint8),
        "per_channel": torch.quantize_per_channel(torch.rand(2, 3), torch.tensor([0.1, 0.2]),
                                                  torch.tensor([0, 1]), 0, torch.qint8),
    }
    with contextlib.suppress(Exception):
        yield "nested-strided", torch.nested.nested_tensor([torch.zeros(2), torch.zeros(3)])
    with contextlib.suppress(Exception):
        yield "nested-jagged", torch.nested.nested_tensor([torch.zeros(2, 4), torch.zeros(3, 4)], layout=torch.jagged)
    p = nn.Parameter(torch.zeros(3))
    yield "parameter", p
    p2 = nn.Parameter(torch.zeros(3))
    p2.custom_attr = "x"
    yield "parameter-with-state", {"p": p2}
    t2 = torch.zeros(2)
    t2.extra = 1
    yield "tensor-with-state", t2
    yield "meta-tensor", torch.empty(2, 3, device="meta")
    yield "size-device-dtype", {"size": torch.Size([2, 3]), "device": torch.device("cpu"), "dtype": torch.float16,
                                "layout": torch.strided, "qscheme": torch.per_tensor_affine}
    opt = torch.optim.Adam(lin.parameters(), lr=0.01)
    lin(torch.zeros(1, 4)).sum().backward()
    opt.step()
    sched = torch.optim.lr_scheduler.StepLR(opt, 1)
    yield "checkpoint", {"epoch": 3, "model": lin.state_dict(), "optimizer": opt.state_dict(),
                         "scheduler": sched.state_dict(), "rng": torch.get_rng_state(),
                         "np_rng": __import__("numpy").random.get_state()}
    yield "untyped-storage", torch.zeros(3).untyped_storage()
    yield "typed-storage-legacy", torch.FloatStorage(3) if hasattr(torch, "FloatStorage") else torch.zeros(1)


def torchscript_archives():
    import torch
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)
            self.bn = nn.BatchNorm1d(2)
            self.ints = [1, 2]
            self.d = {"a": 1.0}

        def forward(self, x):
            return self.bn(self.fc(x))

    out = []
    scripted = torch.jit.script(Net())
    buf = io.BytesIO()
    torch.jit.save(scripted, buf)
    out.append(("script-Net", buf.getvalue()))
    traced = torch.jit.trace(nn.Sequential(nn.Conv2d(3, 2, 3), nn.ReLU()), torch.zeros(1, 3, 8, 8))
    buf = io.BytesIO()
    torch.jit.save(traced, buf)
    out.append(("trace-Sequential", buf.getvalue()))
    return out


BUILDERS = [
    ("python", build_python),
    ("numpy", build_numpy),
    ("scipy", build_scipy),
    ("sklearn", build_sklearn),
    ("pandas", build_pandas),
    ("xgboost", build_xgboost),
    ("lightgbm", build_lightgbm),
    ("omegaconf", build_omegaconf),
    ("torch", build_torch),
]

IMPORTS = {
    "python": None, "numpy": "numpy", "scipy": "scipy", "sklearn": "sklearn", "pandas": "pandas",
    "xgboost": "xgboost", "lightgbm": "lightgbm", "omegaconf": "omegaconf", "torch": "torch",
}


# ---------------------------------------------------------------------------
# Serialisation and listing
# ---------------------------------------------------------------------------


class Collector:
    def __init__(self):
        self.names: dict[str, dict] = {}
        self.failures: list[str] = []
        self.files = 0
        self.streams = 0
        self.objects = 0
        self.by_format: Counter = Counter()

    def recorder(self, source: str):
        def record(key, use, raw):
            e = self.names.setdefault(key, {"uses": set(), "sources": set(), "raw": set()})
            e["uses"].add(use)
            e["sources"].add(source)
            raw_key = f"{raw[0]}:{raw[1]}"
            if raw_key != key:
                e["raw"].add(raw_key)

        return record

    def scan(self, source: str, fmt: str, data: bytes, kind: str = "pickle"):
        rec = self.recorder(f"{source} [{fmt}]")
        try:
            if kind == "pickle":
                n = sp.list_stream(data, rec)
            elif kind == "joblib":
                comp, raw = sp.decompress_joblib(data)
                n = sp.list_stream(raw, rec, joblib_mode=True)
            elif kind == "zip":
                n = sp.list_zip_pickles(data, rec)
            elif kind == "npy":
                n = sp.list_npy(data, rec)
            elif kind == "torch-legacy":
                n = sp.list_torch_legacy(data, rec)
            else:
                raise ValueError(kind)
        except Exception as e:  # noqa: BLE001
            self.failures.append(f"{source} [{fmt}]: static listing failed: {type(e).__name__}: {e}")
            return
        self.files += 1
        self.streams += n
        self.by_format[fmt.split("-")[0]] += 1

    def serialise(self, lib: str, name: str, obj) -> None:
        source = f"{lib}/{name}"
        self.objects += 1
        for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
            try:
                data = pickle.dumps(obj, protocol=proto)
            except Exception as e:  # noqa: BLE001
                self.failures.append(f"{source} [pickle-p{proto}]: cannot pickle: {type(e).__name__}: {str(e)[:120]}")
                continue
            self.scan(source, f"pickle-p{proto}", data)
        try:
            import joblib
        except ImportError:
            return
        for compress in (0, 3, ("gzip", 3), ("bz2", 3), ("lzma", 3), ("xz", 3)):
            fmt = "joblib-" + (str(compress) if not isinstance(compress, tuple) else compress[0])
            with tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "obj.joblib")
                try:
                    joblib.dump(obj, path, compress=compress)
                    data = pathlib.Path(path).read_bytes()
                except Exception as e:  # noqa: BLE001
                    self.failures.append(f"{source} [{fmt}]: cannot dump: {type(e).__name__}: {str(e)[:120]}")
                    continue
            self.scan(source, fmt, data, "joblib")
        if lib == "numpy":
            import numpy as np

            if isinstance(obj, np.ndarray) and obj.dtype.hasobject:
                b = io.BytesIO()
                np.save(b, obj, allow_pickle=True)
                self.scan(source, "npy", b.getvalue(), "npy")
                b = io.BytesIO()
                np.savez(b, a=obj, b=np.arange(3))
                self.scan(source, "npz", b.getvalue(), "zip")
        if lib == "torch":
            import torch

            b = io.BytesIO()
            try:
                torch.save(obj, b)
                self.scan(source, "torch-zip", b.getvalue(), "zip")
            except Exception as e:  # noqa: BLE001
                self.failures.append(f"{source} [torch-zip]: {type(e).__name__}: {str(e)[:120]}")
            b = io.BytesIO()
            try:
                torch.save(obj, b, _use_new_zipfile_serialization=False)
                self.scan(source, "torch-legacy", b.getvalue(), "torch-legacy")
            except Exception as e:  # noqa: BLE001
                self.failures.append(f"{source} [torch-legacy]: {type(e).__name__}: {str(e)[:120]}")


def _summarise(v: dict) -> dict:
    objects = sorted({src.rsplit(" [", 1)[0] for src in v["sources"]})
    formats = sorted({src.rsplit(" [", 1)[1].rstrip("]") for src in v["sources"]})
    return {"uses": sorted(v["uses"]), "raw": sorted(v["raw"]), "files": len(v["sources"]),
            "object_count": len(objects), "objects": objects[:20], "formats": formats}


def versions() -> dict:
    out = {"python": platform.python_version()}
    for mod in ("numpy", "scipy", "sklearn", "pandas", "joblib", "xgboost", "lightgbm", "omegaconf", "torch",
                "pyarrow", "pytz"):
        try:
            m = __import__(mod)
            out[mod] = getattr(m, "__version__", "?")
        except Exception:
            out[mod] = None
    return out


def run_collect(tag: str, outdir: pathlib.Path, only: list[str] | None) -> None:
    c = Collector()
    skipped = []
    for lib, builder in BUILDERS:
        if only and lib not in only:
            continue
        mod = IMPORTS[lib]
        if mod:
            try:
                __import__(mod)
            except Exception as e:  # noqa: BLE001
                skipped.append(f"{lib}: not importable ({type(e).__name__})")
                continue
        try:
            for name, obj in builder():
                if name.startswith("FAILED:"):
                    c.failures.append(f"{lib}/{name[7:]}: {type(obj).__name__}: {str(obj)[:120]}")
                    continue
                c.serialise(lib, name, obj)
        except Exception as e:  # noqa: BLE001
            c.failures.append(f"{lib}: builder stopped: {type(e).__name__}: {e}\n{traceback.format_exc()}")
        if lib == "torch":
            try:
                for name, data in torchscript_archives():
                    c.objects += 1
                    c.scan(f"torch/{name}", "torchscript-zip", data, "zip")
            except Exception as e:  # noqa: BLE001
                c.failures.append(f"torch: torchscript stopped: {type(e).__name__}: {e}")
    result = {
        "tag": tag,
        "versions": versions(),
        "objects": c.objects,
        "files": c.files,
        "streams": c.streams,
        "by_format": dict(c.by_format),
        "skipped": skipped,
        "failures": c.failures,
        "names": {k: _summarise(v) for k, v in sorted(c.names.items())},
    }
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / f"{tag}.json").write_text(json.dumps(result, indent=1) + "\n")
    lines = [f"# globals referenced by real objects ({tag})", f"# versions: {json.dumps(result['versions'])}",
             f"# objects {c.objects}, files {c.files}, pickle streams {c.streams}, "
             f"listing/serialisation failures {len(c.failures)}", "#",
             "# module:qualname  how-used  files=N objects=N  example objects  (raw: spelling before _compat_pickle)"]
    for k, v in result["names"].items():
        ex = ", ".join(v["objects"][:3]) + (" ..." if v["object_count"] > 3 else "")
        raw = f"  (raw: {', '.join(v['raw'])})" if v["raw"] else ""
        uses = ",".join(u for u in v["uses"] if u != "reference") or "reference"
        lines.append(f"{k}  {uses}  files={v['files']} objects={v['object_count']}  {ex}{raw}")
    (outdir / f"{tag}.txt").write_text("\n".join(lines) + "\n")
    print(f"{tag}: {c.objects} objects, {c.files} files, {c.streams} streams, {len(result['names'])} globals, "
          f"{len(c.failures)} failures, skipped={skipped}")


# ---------------------------------------------------------------------------
# Check collected names against the data files
# ---------------------------------------------------------------------------


def run_check(reports: list[pathlib.Path]) -> int:
    sys.path.insert(0, str(HERE))
    import check as chk

    allow, deny, left_out = chk.load_policy(DATA)
    missing = []
    denied = []
    seen = {}
    for r in reports:
        data = json.loads(r.read_text())
        for k, v in data["names"].items():
            seen.setdefault(k, []).append(data["tag"])
    for k, tags in sorted(seen.items()):
        mod, _, name = k.partition(":")
        prof = chk.allowed_by(allow, mod, name)
        d = chk.denied_by(deny, mod, name)
        if d:
            denied.append(f"{k}  denied as {d[1]} ({', '.join(tags)})")
        elif prof is None:
            if k in left_out:
                continue
            missing.append(f"{k}  ({', '.join(tags)})")
    print(f"{len(seen)} distinct globals in {len(reports)} report(s)")
    if denied:
        print(f"{len(denied)} collected names are denied on purpose (must also be documented as left out):")
        for d in denied:
            print("  " + d)
    undocumented = [d for d in denied if d.split()[0] not in left_out]
    if missing or undocumented:
        print(f"{len(missing)} collected names are on no allowlist and not documented as left out:")
        for m in missing:
            print("  " + m)
        for d in undocumented:
            print("  undocumented denial: " + d)
        return 1
    print("every collected global is allowlisted or documented as deliberately left out")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tag", default="local", help="name of this environment's report")
    ap.add_argument("--out", default=str(HERE / "out"), help="output directory")
    ap.add_argument("--only", nargs="*", help="only these builders")
    ap.add_argument("--check", nargs="*", metavar="REPORT", help="check reports against the data files")
    ap.add_argument("--list-torch-nn", action="store_true", help="print torch.nn.modules layer classes")
    a = ap.parse_args()
    if a.check is not None:
        reports = [pathlib.Path(p) for p in a.check] or sorted(pathlib.Path(a.out).glob("*.json"))
        return run_check(reports)
    if a.list_torch_nn:
        for cls in torch_nn_layer_classes():
            print(f"{cls.__module__}:{cls.__qualname__}")
        return 0
    run_collect(a.tag, pathlib.Path(a.out), a.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
