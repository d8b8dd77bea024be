#!/usr/bin/env python3
"""Print the standard TensorFlow op names found in a tensorflow(-cpu) wheel.

Usage: pip download --no-deps tensorflow-cpu -d /tmp/tf && python3 tools/tensorflow/ops.py /tmp/tf/*.whl

Reads the generated op wrappers (tensorflow/python/ops/gen_*_ops.py) as text:
every `_apply_op_helper("Name"` and `_execute.execute(b"Name"` names a registered
op. Nothing from the wheel is imported or run.
"""
import re
import sys
import zipfile

HEADER = """# Standard TensorFlow op names (TensorFlow {version}, tensorflow-cpu wheel: every op wrapped in
# tensorflow/python/ops/gen_*_ops.py). Ops not listed here, and not functions of the graph's
# own library, are custom ops. Regenerate with tools/tensorflow/ops.py WHEEL > this file."""


def main(wheel):
    z = zipfile.ZipFile(wheel)
    ops = set()
    for name in z.namelist():
        if not re.search(r"/gen_[a-z0-9_]+\.py$", name):
            continue
        src = z.read(name).decode("utf-8", "replace")
        ops.update(re.findall(r'_apply_op_helper\(\s*"([A-Za-z0-9_>]+)"', src))
        ops.update(re.findall(r'_execute\.execute\(b?"([A-Za-z0-9_>]+)"', src))
    version = re.search(r"-(\d+\.\d+)\.\d+-", wheel)
    print(HEADER.format(version=version.group(1) if version else "?"))
    for op in sorted(ops):
        print(op)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
