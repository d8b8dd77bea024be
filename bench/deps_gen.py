#!/usr/bin/env python3
"""Write a 500-dependency project for the dependency audit benchmark.

Package names and versions come from the OSV data itself (the `versions`
lists of the records in an OSV `all.zip`), so that many pins are affected;
a deterministic share (every third) is bumped to a version far above any
range so that not every pin matches. Writes, into OUT:
  requirements.txt  500 `name==version` lines
  poetry.lock       the same 500 as `[[package]]` tables
Standard library only.
"""
import json
import pathlib
import sys
import zipfile


def main() -> None:
    src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    pins = {}
    with zipfile.ZipFile(src) as z:
        for name in sorted(z.namelist()):
            rec = json.loads(z.read(name))
            if rec.get("withdrawn"):
                continue
            for a in rec.get("affected", []):
                pkg = a.get("package", {}).get("name", "").lower().replace("_", "-")
                vs = a.get("versions") or []
                if pkg and vs and pkg not in pins:
                    pins[pkg] = vs[len(vs) // 2]
    chosen = sorted(pins.items())[:500]
    if len(chosen) < 500:
        sys.exit(f"only {len(chosen)} packages with version lists in {src}")
    chosen = [(n, "9999.0" if i % 3 == 2 else v) for i, (n, v) in enumerate(chosen)]
    (out / "requirements.txt").write_text("".join(f"{n}=={v}\n" for n, v in chosen))
    (out / "poetry.lock").write_text(
        "".join(f'[[package]]\nname = "{n}"\nversion = "{v}"\n\n' for n, v in chosen)
    )
    print(f"{len(chosen)} dependencies in {out}")


if __name__ == "__main__":
    main()
