"""The tree's layering (docs/layout.md): tools/check-layers.py must pass.
No QEMU: it reads the sources."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_layers_follow_docs_layout():
    r = subprocess.run([sys.executable, str(ROOT / "tools/check-layers.py")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_folder_has_build_mk_and_is_described():
    layout = (ROOT / "docs/layout.md").read_text()
    dirs = [p for p in (ROOT / "kernel").iterdir() if p.is_dir()]
    dirs += [p for p in (ROOT / "arch/x86_64").iterdir()
             if p.is_dir() and p.name != "include"]
    dirs += [p for p in (ROOT / "drivers").iterdir() if p.is_dir()]
    missing = []
    for d in dirs:
        rel = d.relative_to(ROOT).as_posix()
        if not (d / "build.mk").exists():
            missing.append(f"{rel}: no build.mk")
        if f"`{rel}/`" not in layout:
            missing.append(f"{rel}: not described in docs/layout.md")
    assert not missing, "\n".join(missing)


def test_every_kernel_header_is_placed_in_docs_layout():
    """Each include/keel/*.h is named in docs/layout.md (its layer's row,
    the header-only list, or the arch interface), so the doc keeps up."""
    import re
    layout = (ROOT / "docs/layout.md").read_text()
    named = set(re.findall(r"(?<![\w.])([a-z_0-9]+\.h)\b", layout))
    missing = sorted(h.name for h in (ROOT / "include/keel").glob("*.h")
                     if h.name not in named)
    assert not missing, "not in docs/layout.md: " + ", ".join(missing)
