# Peer measurements for lossbench: PyTorch (one thread) and NumPy.
#
# lossbench starts this script with Debian's python3 and talks to it in JSON
# lines: the first line out is {"hello": {...}} (versions, or why a peer is
# missing); then for each request line in, one result line out. Inputs are the
# same sequences lossbench uses (u(i, a) = frac((i+1)·a) in float64, rounded
# to the element type), so the values can be checked against simdloss's.
import json
import os
import platform
import resource
import sys
import time

SEQ_P = 0.6180339887498949
SEQ_Y = 0.41421356237309503
LOG_EPS = 1e-7
WARM_CALLS = 20  # at most, before the timed samples
WARM_S = 20  # seconds of warm-up at most

hello = {"python": platform.python_version(), "executable": sys.executable}
try:
    import numpy as np
    hello["numpy"] = np.__version__
except Exception as e:  # reported as missing
    np = None
    hello["numpy_error"] = "%s: %s" % (type(e).__name__, e)
try:
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    hello["torch"] = torch.__version__
    hello["torch_threads"] = torch.get_num_threads()
    if np is None:
        raise ImportError("numpy is needed to build PyTorch's inputs")
except Exception as e:
    torch = None
    hello["torch_error"] = "%s: %s" % (type(e).__name__, e)
hello["env"] = {k: os.environ.get(k) for k in (
    "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_MAX_", "MALLOC_TOP_PAD_", "MALLOC_ARENA_MAX",
    "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def seq(n, a):
    v = np.arange(1, n + 1, dtype=np.float64) * a
    return v - np.floor(v)


def labels01(n):
    return (seq(n, SEQ_Y) >= 0.5).astype(np.float64)


def classes(rows, c):
    return np.minimum((seq(rows, SEQ_Y) * c).astype(np.int64), c - 1)


def inputs(loss, shape, dt):
    """The float64 inputs of a loss, as lossbench builds them."""
    n = 1
    for d in shape:
        n *= d
    if loss in ("MeanSquaredError", "AbsoluteDifference", "MeanPairwiseSquaredError"):
        a, b = seq(n, SEQ_P), seq(n, SEQ_Y)
    elif loss == "CosineDistance":
        a, b = seq(n, SEQ_P) - 0.5, seq(n, SEQ_Y) - 0.5
    elif loss == "HingeLoss":
        a, b = 4 * seq(n, SEQ_P) - 2, labels01(n)
    elif loss == "LogLoss":
        a, b = 0.01 + 0.98 * seq(n, SEQ_P), labels01(n)
    elif loss == "SigmoidCrossEntropy":
        a, b = 8 * seq(n, SEQ_P) - 4, labels01(n)
    elif loss in ("SoftmaxCrossEntropy", "SparseSoftmaxCrossEntropy"):
        a = 8 * seq(n, SEQ_P) - 4
        b = classes(shape[0], shape[1])
    else:
        raise ValueError("unknown loss " + loss)
    a = a.astype(dt).reshape(shape)
    if loss == "SoftmaxCrossEntropy":
        z = np.zeros(shape, dtype=dt)
        z[np.arange(shape[0]), b] = 1
        b = z
    elif loss != "SparseSoftmaxCrossEntropy":
        b = b.astype(dt).reshape(shape)
    return a, b


def torch_fn(loss):
    if loss == "MeanSquaredError":
        return F.mse_loss
    if loss == "AbsoluteDifference":
        return F.l1_loss
    if loss == "HingeLoss":
        return lambda x, y: torch.clamp(1 - (2 * y - 1) * x, min=0).mean()
    if loss == "LogLoss":
        return F.binary_cross_entropy
    if loss == "SigmoidCrossEntropy":
        return F.binary_cross_entropy_with_logits
    if loss in ("SoftmaxCrossEntropy", "SparseSoftmaxCrossEntropy"):
        return F.cross_entropy
    if loss == "CosineDistance":
        return lambda p, y: (1 - (p * y).sum(1)).mean()
    if loss == "MeanPairwiseSquaredError":
        def pairwise(p, y):
            d = p - y
            d = d - d.mean(1, keepdim=True)
            return (2 * (d * d).mean(1)).sum()
        return pairwise
    return None


def numpy_fn(loss, grad):
    """NumPy forward, or forward plus the hand-written gradient of the mean."""
    if loss == "MeanSquaredError":
        if not grad:
            return lambda p, y: np.square(p - y).mean()

        def f(p, y):
            d = p - y
            return np.square(d).mean(), d * (2 / d.size)
        return f
    if loss == "AbsoluteDifference":
        if not grad:
            return lambda p, y: np.abs(p - y).mean()

        def f(p, y):
            d = p - y
            return np.abs(d).mean(), np.sign(d) * (1 / d.size)
        return f
    if loss == "HingeLoss":
        if not grad:
            return lambda x, y: np.maximum(0, 1 - (2 * y - 1) * x).mean()

        def f(x, y):
            t = 2 * y - 1
            m = 1 - t * x
            return np.maximum(m, 0).mean(), np.where(m > 0, -t, 0) * (1 / x.size)
        return f
    if loss == "LogLoss":
        def fwd(p, y):
            return (-y * np.log(p + LOG_EPS) - (1 - y) * np.log(1 - p + LOG_EPS)).mean()
        if not grad:
            return fwd

        def f(p, y):
            g = (-y / (p + LOG_EPS) + (1 - y) / (1 - p + LOG_EPS)) * (1 / p.size)
            return fwd(p, y), g
        return f
    if not grad and loss == "CosineDistance":
        return lambda p, y: (1 - (p * y).sum(1)).mean()
    if not grad and loss == "MeanPairwiseSquaredError":
        def pairwise(p, y):
            d = p - y
            d = d - d.mean(1, keepdims=True)
            return (2 * np.square(d).mean(1)).sum()
        return pairwise
    return None


def measure(fn, target_s, reps, min_reps, max_s):
    """Median ns per call over samples of about target_s each, and the minor
    and major page faults per call during the samples. A call longer than a
    sample counts as a sample itself."""
    # Warm up until calls stop faulting pages in: glibc's heap keeps growing
    # for a few calls with large tensors (fragmentation), each new page a
    # fault; the steady state is what the figures are about.
    t_warm = time.perf_counter_ns()
    quiet = 0
    for _ in range(WARM_CALLS):
        f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        fn()
        quiet = quiet + 1 if resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0 <= 8 else 0
        if quiet >= 3 or time.perf_counter_ns() - t_warm > WARM_S * 1e9:
            break
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter_ns()
    fn()
    one = max(time.perf_counter_ns() - t, 1)
    samples, calls, n = [], 0, 1
    if one >= target_s * 1e9:
        samples.append(float(one))
        calls = 1
    else:
        t = time.perf_counter_ns()
        fn()
        one = min(one, max(time.perf_counter_ns() - t, 1))
        n = max(1, int(target_s * 1e9 / one))
        if n > 1:
            m = max(1, n // 10)
            t = time.perf_counter_ns()
            for _ in range(m):
                fn()
            n = max(1, int(target_s * 1e9 * m / max(time.perf_counter_ns() - t, 1)))
        r0 = resource.getrusage(resource.RUSAGE_SELF)
    per_sample = one * n
    if reps * per_sample > max_s * 1e9:
        reps = max(min_reps, int(max_s * 1e9 / per_sample))
    while len(samples) < reps:
        t = time.perf_counter_ns()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter_ns() - t) / n)
        calls += n
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "samples": samples,
        "calls": n,
        "minflt": (r1.ru_minflt - r0.ru_minflt) / calls,
        "majflt": (r1.ru_majflt - r0.ru_majflt) / calls,
    }


def run(req):
    loss, shape, grad = req["loss"], req["shape"], req["grad"]
    dt = np.float32 if req["dtype"] == "float32" else np.float64
    a, b = inputs(loss, shape, dt)
    timing = (req["target_s"], req["reps"], req["min_reps"], req["max_s"])
    out = []
    if torch is not None and "pytorch" in req["peers"]:
        f = torch_fn(loss)
        x = torch.from_numpy(a)
        y = torch.from_numpy(b)
        if grad:
            x.requires_grad_(True)

            def call():
                x.grad = None
                f(x, y).backward()
            value = float(f(x, y).item())
        else:
            def call():
                return f(x, y)
            with torch.no_grad():
                value = float(f(x, y).item())
        r = measure(call, *timing)
        r.update(peer="pytorch", value=value)
        out.append(r)
        del x, y, call
    if "numpy" in req["peers"]:
        f = numpy_fn(loss, grad)
        if f is not None:
            v = f(a, b)
            value = float(v[0] if grad else v)
            r = measure(lambda: f(a, b), *timing)
            r.update(peer="numpy", value=value)
            out.append(r)
    return {"results": out}


def main():
    print(json.dumps({"hello": hello}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            if np is None:
                resp = {"results": []}
            else:
                resp = run(json.loads(line))
        except Exception as e:
            resp = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(resp), flush=True)


main()
