#!/usr/bin/env python3
"""Check aigis' pickle policy data files.

    python tools/policy/check.py [DATA_DIR]

DATA_DIR defaults to crates/scan/data/pickle. Verifies:

* allow/<profile>.txt: one `module:qualname` per line, `#` comments, blank
  lines; the file opens with comment lines; the profile name is one of the
  fixed set; wildcards (`module:*`, `pkg.**:*`) only in torchscript.txt;
* deny.txt: `module:qualname  category  # why`, qualname may be `*`, category
  from the fixed set, a reason comment on every entry;
* no entry twice in one file or in two allow files;
* no allowed name that deny.txt also matches (exactly, as a `module:*`
  module-or-submodule wildcard, or as a `module:Qual` prefix of `Qual.attr`);
* every `# left-out: module:qualname  reason` note names a well-formed global
  that is really absent from the allowlists.

Exits 1 and lists every problem if anything is wrong.
"""

from __future__ import annotations

import pathlib
import re
import sys

PROFILES = {
    "builtins", "collections", "pytorch", "torchscript", "numpy", "sklearn", "scipy", "pandas",
    "xgboost", "lightgbm", "omegaconf", "joblib",
}
CATEGORIES = {"exec", "import", "file", "network", "loader", "sideeffect", "patch"}
WILDCARD_PROFILE = "torchscript"

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
MODULE_RE = re.compile(rf"^{IDENT}(\.{IDENT})*$")
QUAL_RE = re.compile(rf"^{IDENT}(\.{IDENT})*$")
LEFT_OUT_RE = re.compile(r"^#\s*left-out:\s*(\S+)\s+(\S.*)$")


def split_comment(line: str) -> tuple[str, str]:
    body, sep, comment = line.partition("#")
    return body.strip(), comment.strip() if sep else ""


def parse_global(text: str, *, star_ok: bool, module_glob_ok: bool) -> tuple[str, str] | str:
    """Return (module, qualname) or an error string."""
    if text.count(":") != 1:
        return "expected exactly one ':' between module and qualname"
    module, qual = text.split(":")
    if module_glob_ok and module.endswith(".**"):
        base = module[:-3]
        if not MODULE_RE.match(base):
            return f"bad module {module!r}"
    elif not MODULE_RE.match(module):
        return f"bad module {module!r}"
    if qual == "*":
        if not star_ok:
            return "wildcard qualname not allowed here"
    elif not QUAL_RE.match(qual):
        return f"bad qualname {qual!r}"
    elif module.endswith(".**"):
        return "a '.**' module needs the '*' qualname"
    return module, qual


def load_allow(path: pathlib.Path, errors: list[str]):
    profile = path.stem
    entries: list[tuple[str, str, int]] = []
    left_out: dict[str, str] = {}
    lines = path.read_text().splitlines()
    if not lines or not lines[0].startswith("#"):
        errors.append(f"{path.name}:1: the file must open with comment lines saying what it covers")
    for i, raw in enumerate(lines, 1):
        line = raw.strip()
        m = LEFT_OUT_RE.match(line)
        if m:
            g = parse_global(m.group(1), star_ok=False, module_glob_ok=False)
            if isinstance(g, str):
                errors.append(f"{path.name}:{i}: left-out note: {g}: {m.group(1)!r}")
            else:
                left_out[m.group(1)] = f"{path.name}:{i}"
            continue
        body, _ = split_comment(line)
        if not body:
            continue
        if len(body.split()) != 1:
            errors.append(f"{path.name}:{i}: one `module:qualname` per line, got {body!r}")
            continue
        wild = profile == WILDCARD_PROFILE
        g = parse_global(body, star_ok=wild, module_glob_ok=wild)
        if isinstance(g, str):
            if not wild and (body.endswith(":*") or ".**:" in body):
                g = "wildcards are allowed only in torchscript.txt"
            errors.append(f"{path.name}:{i}: {g}: {body!r}")
            continue
        entries.append((g[0], g[1], i))
    return entries, left_out


def load_deny(path: pathlib.Path, errors: list[str]):
    entries: list[tuple[str, str, str, int]] = []
    lines = path.read_text().splitlines()
    if not lines or not lines[0].startswith("#"):
        errors.append(f"{path.name}:1: the file must open with comment lines")
    for i, raw in enumerate(lines, 1):
        body, comment = split_comment(raw.strip())
        if not body:
            continue
        parts = body.split()
        if len(parts) != 2:
            errors.append(f"{path.name}:{i}: expected `module:qualname  category  # why`, got {body!r}")
            continue
        g = parse_global(parts[0], star_ok=True, module_glob_ok=False)
        if isinstance(g, str):
            errors.append(f"{path.name}:{i}: {g}: {parts[0]!r}")
            continue
        if parts[1] not in CATEGORIES:
            errors.append(f"{path.name}:{i}: unknown category {parts[1]!r} (one of {sorted(CATEGORIES)})")
            continue
        if not comment:
            errors.append(f"{path.name}:{i}: every denied entry needs a `# why` comment")
        entries.append((g[0], g[1], parts[1], i))
    return entries


def load_policy(data: pathlib.Path, errors: list[str] | None = None):
    """(allow {(module, qual): profile}, deny {(module, qual): category}, left_out {name: where})."""
    errors = [] if errors is None else errors
    allow: dict[tuple[str, str], str] = {}
    left_out: dict[str, str] = {}
    allow_dir = data / "allow"
    files = sorted(allow_dir.glob("*.txt"))
    names = {f.stem for f in files}
    for missing in sorted(PROFILES - names):
        errors.append(f"allow/{missing}.txt is missing")
    for extra in sorted(names - PROFILES):
        errors.append(f"allow/{extra}.txt is not a known profile ({sorted(PROFILES)})")
    for f in files:
        entries, lo = load_allow(f, errors)
        left_out.update(lo)
        for mod, qual, line in entries:
            key = (mod, qual)
            if key in allow:
                where = "the same file" if allow[key] == f.stem else f"allow/{allow[key]}.txt"
                errors.append(f"{f.name}:{line}: {mod}:{qual} is already listed in {where}")
                continue
            allow[key] = f.stem
    deny: dict[tuple[str, str], str] = {}
    deny_path = data / "deny.txt"
    if not deny_path.exists():
        errors.append("deny.txt is missing")
    else:
        for mod, qual, cat, line in load_deny(deny_path, errors):
            if (mod, qual) in deny:
                errors.append(f"deny.txt:{line}: {mod}:{qual} is listed twice")
            deny[(mod, qual)] = cat
    return allow, deny, left_out


def allowed_by(allow: dict, module: str, qual: str) -> str | None:
    if (module, qual) in allow:
        return allow[(module, qual)]
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        if (prefix + ".**", "*") in allow:
            return allow[(prefix + ".**", "*")]
    if (module, "*") in allow:
        return allow[(module, "*")]
    return None


def denied_by(deny: dict, module: str, qual: str) -> tuple[str, str] | None:
    """The deny entry that matches, as (entry, category), or None."""
    qparts = qual.split(".")
    for j in range(len(qparts), 0, -1):
        q = ".".join(qparts[:j])
        if (module, q) in deny:
            return f"{module}:{q}", deny[(module, q)]
    mparts = module.split(".")
    for i in range(len(mparts), 0, -1):
        prefix = ".".join(mparts[:i])
        if (prefix, "*") in deny:
            return f"{prefix}:*", deny[(prefix, "*")]
    return None


def main(argv: list[str]) -> int:
    here = pathlib.Path(__file__).resolve().parent
    data = pathlib.Path(argv[1]) if len(argv) > 1 else here.parent.parent / "crates" / "scan" / "data" / "pickle"
    errors: list[str] = []
    allow, deny, left_out = load_policy(data, errors)
    for (mod, qual), prof in sorted(allow.items()):
        if mod.endswith(".**"):
            base = mod[:-3]
            for (dm, dq), cat in deny.items():
                if dq == "*" and (dm == base or dm.startswith(base + ".") or base.startswith(dm + ".")):
                    errors.append(f"allow/{prof}.txt: wildcard {mod}:* overlaps denied {dm}:* ({cat})")
            continue
        d = denied_by(deny, mod, qual)
        if d:
            errors.append(f"allow/{prof}.txt: {mod}:{qual} is allowed but deny.txt has {d[0]} ({d[1]})")
    for name, where in sorted(left_out.items()):
        mod, _, qual = name.partition(":")
        if allowed_by(allow, mod, qual):
            errors.append(f"{where}: {name} is noted as left out but is allowlisted")
    counts: dict[str, int] = {}
    for prof in allow.values():
        counts[prof] = counts.get(prof, 0) + 1
    cats: dict[str, int] = {}
    for cat in deny.values():
        cats[cat] = cats.get(cat, 0) + 1
    print("allow: " + ", ".join(f"{p} {counts.get(p, 0)}" for p in sorted(PROFILES)) + f" (total {len(allow)})")
    print("deny: " + ", ".join(f"{c} {cats.get(c, 0)}" for c in sorted(CATEGORIES)) + f" (total {len(deny)})")
    print(f"left-out notes: {len(left_out)}")
    if errors:
        print(f"{len(errors)} problem(s):", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
