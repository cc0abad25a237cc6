#!/usr/bin/env python3
"""Configures a build from a CMake preset and checks that the build is the one asked for.

Every entry point that configures a build (ci/test.sh, the racefuzz script, `racefuzz fuzz`,
bench/reproduce.sh) runs this instead of `cmake --preset` directly:

    python3 ci/configure.py <preset> [-B <build-dir>] [-D<VAR>=<value>...]
    python3 ci/configure.py <preset> --print <VAR>|binaryDir      what the preset asks for
    python3 ci/configure.py <preset> [-D...] --print cache        all of it, as CMakeCache.txt lines

What was asked for is the preset's cache variables (CMakePresets.json, with its `inherits`) plus the
-D arguments: the sanitizer, the build type, the compiler by absolute path, ... When the build
directory's CMakeCache.txt already holds exactly those values nothing runs (ninja re-runs CMake by
itself when a CMakeLists.txt changes). Otherwise the build is configured, fresh (`cmake --fresh`)
when its cache says something else, and the cache is read back: a value that still differs is an
error (exit status 2), never a build that is silently another one. This is the check CMake's own
"You have changed variables that require your cache to be deleted" path defeats: that path re-runs
the configure without the preset's variables.
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRUE = {"ON", "TRUE", "YES", "Y", "1"}
FALSE = {"OFF", "FALSE", "NO", "N", "0", ""}


def fail(message):
    print(f"racefuzz configure: {message}", file=sys.stderr)
    sys.exit(2)


def preset(name):
    """The preset's binaryDir and cache variables, with the presets it inherits from."""
    with open(os.path.join(ROOT, "CMakePresets.json")) as f:
        presets = {p["name"]: p for p in json.load(f)["configurePresets"]}
    if name not in presets or presets[name].get("hidden"):
        known = ", ".join(n for n, p in presets.items() if not p.get("hidden"))
        fail(f"no configure preset '{name}' in CMakePresets.json (known: {known})")
    chain, todo = [], [name]
    while todo:
        p = presets[todo.pop(0)]
        chain.append(p)
        inherits = p.get("inherits", [])
        todo.extend([inherits] if isinstance(inherits, str) else inherits)
    variables, binary_dir = {}, None
    for p in reversed(chain):  # the preset's own values win over the inherited ones
        for key, value in p.get("cacheVariables", {}).items():
            variables[key] = value["value"] if isinstance(value, dict) else value
        binary_dir = p.get("binaryDir", binary_dir)
    expand = lambda s: s.replace("${sourceDir}", ROOT).replace("${presetName}", name)
    return expand(binary_dir), {k: expand(str(v)) for k, v in variables.items()}


def cached(build_dir):
    """CMakeCache.txt as {name: value}; empty when there is none."""
    values = {}
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith(("#", "//")) or "=" not in line or ":" not in line:
                    continue
                key, value = line.rstrip("\n").split("=", 1)
                values[key.split(":", 1)[0]] = value
    except FileNotFoundError:
        pass
    return values


def same(want, have):
    if have is None:
        return False
    if want.upper() in TRUE | FALSE and have.upper() in TRUE | FALSE:
        return (want.upper() in TRUE) == (have.upper() in TRUE)
    return want == have


def differences(wanted, build_dir):
    cache = cached(build_dir)
    return [f"{k}={cache.get(k, '<unset>')} (asked for {v})" for k, v in sorted(wanted.items())
            if not same(v, cache.get(k))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("preset")
    parser.add_argument("-B", dest="build_dir")
    parser.add_argument("-D", dest="defines", action="append", default=[], metavar="VAR=VALUE")
    parser.add_argument("--print", metavar="VAR",
                        help="print the value asked for VAR (binaryDir: the build directory; "
                             "cache: every variable, as CMakeCache.txt lines); configure nothing")
    args = parser.parse_args()

    build_dir, wanted = preset(args.preset)
    for define in args.defines:
        if "=" not in define:
            fail(f"-D{define}: expected -D<VAR>=<value>")
        key, value = define.split("=", 1)
        wanted[key.split(":", 1)[0]] = value
    build_dir = os.path.abspath(args.build_dir or build_dir)
    if args.print == "cache":  # a cache that this script finds nothing to change in (the CLI's tests)
        print("".join(f"{k}:STRING={v}\n" for k, v in sorted(wanted.items())), end="")
        return 0
    if args.print:
        print(build_dir if args.print == "binaryDir" else wanted.get(args.print, ""))
        return 0
    shown = os.path.relpath(build_dir, ROOT)

    have_cache = os.path.exists(os.path.join(build_dir, "CMakeCache.txt"))
    diff = differences(wanted, build_dir) if have_cache else []
    if have_cache and not diff:
        return 0
    command = ["cmake", "--preset", args.preset, "-B", build_dir] + [f"-D{d}" for d in args.defines]
    if diff:
        print(f"racefuzz configure: {shown} is configured another way ({'; '.join(diff)}): "
              "configuring it fresh", file=sys.stderr)
        command.append("--fresh")
    # cmake --preset reads CMakePresets.json from the current directory: run from the root.
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        if "--fresh" in command or not have_cache:
            fail(f"configuring {shown} failed (output above); command: {' '.join(command)}")
        print(f"racefuzz configure: configuring {shown} over its old cache failed: trying it fresh",
              file=sys.stderr)
        if subprocess.run(command + ["--fresh"], cwd=ROOT).returncode != 0:
            fail(f"configuring {shown} failed (output above); command: {' '.join(command)} --fresh")
    diff = differences(wanted, build_dir)
    if diff:
        fail(f"{shown} is not the build asked for after configuring it: {'; '.join(diff)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
