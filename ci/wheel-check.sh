#!/usr/bin/env bash
# The package as users get it: build the sdist and wheel, install the wheel into fresh virtualenvs
# OUTSIDE the checkout, and run validate/render/seed against a copy of the project's stack files.
# Catches package-data gaps (py.typed, bundled CRD schemas), undeclared dependencies, and imports
# of an extra from a stack that does not need it.
#
#   bash ci/wheel-check.sh [python]     # default .venv/bin/python (needs `build`, in [test])
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-.venv/bin/python}
work=$(mktemp -d "${TMPDIR:-/tmp}/platform-kit-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT
pip_install() { "$1/bin/pip" install -q --disable-pip-version-check "${@:2}"; }

echo "+ build sdist and wheel into $work/dist"
"$python" -m build --sdist --wheel --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
wheel=$(ls "$work"/dist/*.whl)
sdist=$(ls "$work"/dist/*.tar.gz)
"$python" - "$wheel" "$sdist" <<'PY'
import sys, tarfile, zipfile
wheel = set(zipfile.ZipFile(sys.argv[1]).namelist())
sdist = {name.split("/", 1)[1] for name in tarfile.open(sys.argv[2]).getnames() if "/" in name}
need_wheel = ["platform_kit/py.typed", "platform_kit/validation/schemas/README.md",
              "platform_kit/validation/schemas/crds/kyverno.io/clusterpolicy_v1.json"]
need_sdist = ["LICENSE", "NOTICE", "README.md", "pyproject.toml", "platform_kit/py.typed"]
missing = [n for n in need_wheel if n not in wheel] + [n for n in need_sdist if n not in sdist]
licences = [n for n in wheel if n.endswith(("/LICENSE", "/NOTICE")) and ".dist-info/" in n]
if missing or len(licences) < 2:
    sys.exit(f"missing from the distributions: {missing}, licence files in the wheel: {licences}")
print(f"wheel: {len(wheel)} files, sdist: {len(sdist)} files, package data and licences present")
PY

# A copy of the project's program and stack files only: the package comes from the venv, never the checkout.
project="$work/project"
mkdir -p "$project"
cp -r Pulumi.yaml __main__.py stacks stack-references.yaml "$project/"
rm -rf "$project/stacks/__pycache__"

echo "+ base install (an existing cluster): $(basename "$wheel")"
python3 -m venv "$work/base"
pip_install "$work/base" "$wheel"
kit="$work/base/bin/platform-kit"
(cd "$project" && "$work/base/bin/python" -c 'import platform_kit, sys; assert "/base/" in platform_kit.__file__, platform_kit.__file__')
(cd "$project" && "$kit" --version && "$kit" validate --stack local && "$kit" render --stack local --out out/local >/dev/null &&
  "$kit" seed --stack local && "$kit" seed --stack local | tail -1)
test -f "$project/out/local/config-repo/README.md" -o -d "$project/out/local/config-repo"
for stack in dev prod staging; do (cd "$project" && "$kit" validate --stack "$stack" >/dev/null); done
echo "+ an EKS stack without [aws]: one line naming the extra, exit 2"
set +e
(cd "$project" && "$kit" render --stack dev --out out/dev) >"$work/out" 2>"$work/err"
code=$?
set -e
if [ "$code" -ne 2 ] || ! grep -q "pip install 'platform-kit\[aws\]'" "$work/err" || [ "$(wc -l <"$work/err")" -ne 1 ]; then
  echo "expected exit 2 and one line naming [aws], got exit $code:" >&2; cat "$work/err" >&2; exit 1
fi
cat "$work/err"

echo "+ with [aws,github]: render every shipped stack"
pip_install "$work/base" "$wheel[aws,github]"
for file in "$project"/stacks/Pulumi.*.yaml; do
  stack=$(basename "$file" .yaml); stack=${stack#Pulumi.}
  (cd "$project" && "$kit" render --stack "$stack" --out "out/$stack" | tail -1)
done
echo "wheel check: ok"
