# Shared by the scripts that install CI tools under target/tools and start
# a server for them: `source scripts/tools.sh`.

# pip_venv VENV REQUIREMENTS: make a Python venv at VENV with the pinned
# REQUIREMENTS, unless the one there was made from this same file at this
# same place (a venv's scripts name its absolute path, so a target dir
# moved or copied from another checkout holds venvs that do not run).
pip_venv() {
  local venv=$1 requirements=$2 stamp
  stamp="$(cat "$requirements"; echo "# made at $PWD/$venv")"
  mkdir -p target/tools
  if [ "$stamp" != "$(cat "$venv/installed-requirements.txt" 2>/dev/null)" ]; then
    echo "-- installing $requirements into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      --require-virtualenv -r "$requirements"
    printf '%s\n' "$stamp" > "$venv/installed-requirements.txt"
  fi
}

# npm_tool PREFIX PACKAGE VERSION: install the npm PACKAGE at VERSION under
# PREFIX, without running install scripts, unless that version is there.
npm_tool() {
  local prefix=$1 package=$2 version=$3 installed
  installed=$(node -p "require('./$prefix/node_modules/$package/package.json').version" 2>/dev/null || true)
  if [ "$installed" != "$version" ]; then
    echo "-- installing $package@$version into $prefix"
    rm -rf "$prefix"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --ignore-scripts \
      --loglevel=error "$package@$version"
  fi
}

# wait_for_port PORT WHAT: wait up to 20 s for a server on 127.0.0.1:PORT;
# fail, naming WHAT, if none answers.
wait_for_port() {
  local port=$1 what=$2
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "$what did not start listening on 127.0.0.1:$port within 20 s" >&2
  return 1
}
