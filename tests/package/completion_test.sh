#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The generated completions, each in its own shell: bash (calling _sysfence with COMP_WORDS set),
# fish (complete -C) and zsh (a real interactive zsh on a pseudo-terminal, through zpty, pressing
# Tab). Commands, options, syscall names, @groups, constants and ABIs must complete.
# Usage: completion_test.sh GENERATED_DIR
set -euo pipefail
dir=$(cd "$1" && pwd)
failures=0
expect() {  # NAME WANTED GOT: GOT (space-separated words) must contain every word of WANTED
  local word
  for word in $2; do
    if [[ " $3 " != *" $word "* ]]; then
      echo "FAIL $1: '$word' not offered; got: ${3:0:300}" >&2
      failures=$((failures + 1))
      return
    fi
  done
  echo "ok   $1: $2"
}
refuse() {  # NAME UNWANTED GOT
  if [[ " $3 " == *" $2 "* ]]; then echo "FAIL $1: '$2' offered" >&2; failures=$((failures + 1)); else echo "ok   $1: not $2"; fi
}

bash_complete() {  # WORDS...: the completions bash offers for the last word
  local line="$*"
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sysfence; echo "${COMPREPLY[@]}"' \
    _ "$dir/sysfence.bash" "$@" 2>&1 || echo "error completing: $line"
}
expect "bash command" "run" "$(bash_complete sysfence ru)"
expect "bash commands" "decompile diff disasm" "$(bash_complete sysfence d)"
expect "bash root option" "--help --version" "$(bash_complete sysfence --)"
expect "bash options" "--output --format --arch --weights --stats" "$(bash_complete sysfence compile policy.sfp --)"
expect "bash --arch value" "x86_64 x86 x32" "$(bash_complete sysfence compile --arch x)"
expect "bash syscall" "openat open_by_handle_at" "$(bash_complete sysfence eval p.sfp open)"
refuse "bash syscall" "O_RDONLY" "$(bash_complete sysfence eval p.sfp O_RD)"
expect "bash constants" "O_RDONLY O_RDWR" "$(bash_complete sysfence eval p.sfp openat O_RD)"
expect "bash group" "@file-system" "$(bash_complete sysfence syscalls @file)"
expect "bash program after --" "true" "$(bash_complete sysfence run -p p.sfp -- tru)"
expect "bash file" "$dir/sysfence.bash" "$(bash_complete sysfence check "$dir/sysfence.b")"

if command -v fish >/dev/null; then
  fish_complete() { fish --no-config -c "source $dir/sysfence.fish; complete -C '$1'" | cut -f1 | tr '\n' ' '; }
  expect "fish command" "run" "$(fish_complete 'sysfence ru')"
  expect "fish options" "--output --format --arch" "$(fish_complete 'sysfence compile --')"
  expect "fish --arch value" "x86_64 x32" "$(fish_complete 'sysfence compile --arch x')"
  expect "fish syscall" "openat" "$(fish_complete 'sysfence eval p.sfp open')"
  expect "fish constants" "O_RDONLY" "$(fish_complete 'sysfence eval p.sfp openat O_RD')"
  expect "fish group" "@file-system" "$(fish_complete 'sysfence syscalls @file')"
else
  echo "FAIL: fish is not installed (scripts/deps.txt lists it)" >&2; failures=$((failures + 1))
fi

if command -v zsh >/dev/null; then
  # A real interactive zsh with the completion in its fpath; after Tab the line is read back.
  # The line is typed once the line editor is ready (READY_1 printed, then the prompt <z>); after Tab Tab it is erased (^U) and a marker printed; reading up to the marker's output
  # (END_1MARK, typed as END_$((1))MARK) waits exactly as long as the completion takes.
  zsh_complete() {
    timeout 60 zsh -f -c '
      zmodload zsh/zpty
      zpty z zsh -f -i
      zpty -w z "PS1=\"<z>\"; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; unsetopt beep; print READY_\$((1))"
      zpty -r z out "*READY_1*<z>*"
      zpty -w -n z "$2"$'"'"'\t\t'"'"'
      zpty -w z $'"'"'\C-u'"'"'"print END_\$((1))MARK"
      zpty -r z out "*END_1MARK*"
      print -r -- "$out" | tr -d "\r" | sed "s/\x1b\[[0-9;?]*[a-zA-Z]//g"
      zpty -d z' _ "$dir" "$1" | tr -s ' \n' '  '
  }
  expect "zsh command" "run" "$(zsh_complete 'sysfence ru')"
  expect "zsh --arch value" "x86_64" "$(zsh_complete 'sysfence compile --arch x86_')"
  expect "zsh syscall" "openat" "$(zsh_complete 'sysfence eval p.sfp open')"
  expect "zsh constants" "O_RDONLY" "$(zsh_complete 'sysfence eval p.sfp openat O_RDON')"
else
  echo "FAIL: zsh is not installed (scripts/deps.txt lists it)" >&2; failures=$((failures + 1))
fi
exit $((failures > 0))
