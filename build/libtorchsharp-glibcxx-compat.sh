#!/usr/bin/env bash
# Makes TorchSharp's libLibTorchSharp.so load on systems whose libstdc++ predates GLIBCXX_3.4.32
# (Debian 12 ships 3.4.30). The library needs that version for exactly one symbol,
# std::ios_base_library_init(), an empty hook GCC 13 added. The fix, applied to the copies in the
# given output folders (never to the NuGet cache):
#   1. a one-function shim library defines that symbol,
#   2. the shim is added as DT_NEEDED (found next to the library through its $ORIGIN runpath),
#   3. the GLIBCXX_3.4.32 version-need entry is marked WEAK (vna_flags = VER_FLG_WEAK), so the loader
#      accepts a libstdc++ without it.
# Idempotent, and a no-op where the system libstdc++ already provides GLIBCXX_3.4.32.
# Usage: libtorchsharp-glibcxx-compat.sh DIR...   (each DIR is searched for libLibTorchSharp.so)
set -euo pipefail

readonly SHIM_NAME=libprunecluster_glibcxx_shim.so
readonly NEEDED_VERSION=GLIBCXX_3.4.32

log() { printf 'libtorchsharp-compat: %s\n' "$*"; }

system_libstdcxx() {
  local lib
  lib=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
  [ -n "$lib" ] || lib=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
  printf '%s' "$lib"
}

if [ "$(uname -s)" != Linux ]; then exit 0; fi
stdcxx=$(system_libstdcxx)
if [ -f "$stdcxx" ] && grep -qa "$NEEDED_VERSION" "$stdcxx"; then
  exit 0   # libstdc++ is new enough: nothing to do.
fi

for tool in readelf patchelf cc; do
  if ! command -v "$tool" >/dev/null; then
    log "error: '$tool' is needed to patch TorchSharp for this libstdc++ ($stdcxx lacks $NEEDED_VERSION); install it (Debian: apt-get install binutils patchelf gcc)" >&2
    exit 1
  fi
done

# Output is captured before grepping: `readelf | grep -q` under pipefail fails when grep stops reading early.
version_info() { readelf -V "$1"; }

patch_one() {
  local so=$1 dir shim info
  dir=$(dirname "$so")
  shim="$dir/$SHIM_NAME"
  info=$(version_info "$so")
  if ! grep -q "Name: $NEEDED_VERSION" <<<"$info"; then
    return 0   # this build of TorchSharp does not need the version: leave it alone.
  fi
  if grep -q "Name: $NEEDED_VERSION  Flags: WEAK" <<<"$info" && [ -f "$shim" ]; then
    return 0   # already patched.
  fi
  if [ ! -f "$shim" ]; then
    printf 'void _ZSt21ios_base_library_initv(void) {}\n' | cc -shared -fPIC -x c -o "$shim" -
  fi
  local needed
  needed=$(patchelf --print-needed "$so")
  if ! grep -qx "$SHIM_NAME" <<<"$needed"; then
    patchelf --add-needed "$SHIM_NAME" "$so"
  fi
  # Locate the Vernaux entry after patchelf (which may have moved the section) and set its flags.
  info=$(version_info "$so")
  if ! grep -q "Name: $NEEDED_VERSION  Flags: WEAK" <<<"$info"; then
    local section_offset entry_offset
    section_offset=$(awk '/Version needs section/ {getline; for (i = 1; i <= NF; i++) if ($i == "Offset:") print $(i + 1)}' <<<"$info")
    entry_offset=$(awk -v v="$NEEDED_VERSION" '$0 ~ "Name: " v " " {sub(":", "", $1); print $1}' <<<"$info")
    # Elf64_Vernaux: vna_hash (4 bytes), vna_flags (2 bytes, little-endian), ...
    local flags_at=$(( section_offset + entry_offset + 4 ))
    printf '\x02\x00' | dd of="$so" bs=1 seek="$flags_at" conv=notrunc status=none
    info=$(version_info "$so")
    grep -q "Name: $NEEDED_VERSION  Flags: WEAK" <<<"$info" || { log "error: could not mark $NEEDED_VERSION weak in $so" >&2; exit 1; }
  fi
  log "patched $so"
}

for root in "$@"; do
  [ -d "$root" ] || continue
  while IFS= read -r -d '' so; do patch_one "$so"; done < <(find "$root" -name libLibTorchSharp.so -print0)
done
