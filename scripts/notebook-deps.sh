#!/usr/bin/env bash
# What running notebooks/*.ipynb headless needs: Jupyter's nbconvert (from Debian) and the Deno
# kernel (the repository's own Deno, pinned in package.json). Idempotent: does nothing when both are
# there and the kernel's executable still exists. One line of output per thing checked or done.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(jupyter-nbconvert python3-nbclient jupyter-client)

have_nbconvert() {
  command -v jupyter >/dev/null 2>&1 && jupyter nbconvert --version >/dev/null 2>&1
}

# The "deno" kernelspec exists and the executable it starts is still on disk (an npx cache or a
# node_modules that was removed leaves a kernelspec that cannot start). Parsed with node, not
# python3: a pyenv or venv python3 first on PATH does not see Debian's jupyter_client.
have_kernel() {
  have_nbconvert || return 1
  jupyter kernelspec list --json 2>/dev/null | node -e '
    const fs = require("node:fs")
    const spec = JSON.parse(fs.readFileSync(0, "utf8")).kernelspecs?.deno?.spec
    const exe = spec?.argv?.[0]
    let ok = false
    try { fs.accessSync(exe, fs.constants.X_OK); ok = true } catch {}
    process.exit(ok ? 0 : 1)
  ' >/dev/null 2>&1
}

if have_nbconvert; then
  echo "notebook-deps: jupyter nbconvert $(jupyter nbconvert --version) already installed"
elif [ "$(id -u)" -ne 0 ]; then
  echo "notebook-deps: skipped apt (not root): run 'sudo apt-get install -y --no-install-recommends ${apt_packages[*]}'"
elif ! command -v apt-get >/dev/null 2>&1; then
  echo "notebook-deps: skipped apt (no apt-get here): install Jupyter's nbconvert, nbclient and jupyter_client yourself"
else
  export DEBIAN_FRONTEND=noninteractive
  # A fresh container often has no package lists yet: update only when the install cannot find them.
  if ! apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  fi
  echo "notebook-deps: installed ${apt_packages[*]} with apt-get (jupyter nbconvert $(jupyter nbconvert --version))"
fi

if have_kernel; then
  echo "notebook-deps: Deno kernel already registered"
else
  # The version package.json pins, so CI (which runs this before `pnpm install`) gets the same Deno.
  deno_version=$(node -p 'require("./package.json").devDependencies.deno')
  if ! out=$(npx -y "deno@${deno_version}" jupyter --install --force 2>&1); then
    echo "$out" >&2
    echo "notebook-deps: npx deno jupyter --install failed" >&2
    exit 1
  fi
  spec=$(jupyter kernelspec list 2>/dev/null | awk '$1 == "deno" { print $2 }' || true)
  [ -n "$spec" ] || spec="the user Jupyter data dir"
  echo "notebook-deps: registered the Deno ${deno_version} kernel (npx deno jupyter --install) in ${spec}"
fi

if ! have_nbconvert || ! have_kernel; then
  echo "notebook-deps: notebooks cannot run yet: see the lines above" >&2
  exit 1
fi
