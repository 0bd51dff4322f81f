#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The generated completions, each in its own shell: bash (calling _sysfence with COMP_WORDS set),
# fish (complete -C) and zsh (a real interactive zsh on a pseudo-terminal, through zpty, pressing
# Tab). Commands, options, syscall names, @groups, constants, ABIs, errno names, pids, cgroups and
# policy files must complete, and every option that takes one of a set of words must offer exactly
# the words the CLI accepts (`sysfence help-export --value-sets`, read from the same CLI11
# definitions that validate them; tests/package/value_sets_test.cc runs the CLI with each).
# Usage: completion_test.sh GENERATED_DIR SYSFENCE
set -euo pipefail
dir=$(cd "$1" && pwd)
sysfence=$2
failures=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/sub"
touch "$scratch/web.sfp" "$scratch/oci.json" "$scratch/k8s.yaml" "$scratch/notes.txt" "$scratch/web.bpf"
same() {  # NAME WANTED GOT: the same words, in any order
  local wanted got
  wanted=$(tr ' ' '\n' <<<"$2" | grep -v '^$' | sort | tr '\n' ' ')
  got=$(tr ' ' '\n' <<<"$3" | grep -v '^$' | sort | tr '\n' ' ')
  if [[ $wanted == "$got" ]]; then echo "ok   $1: $2"; else echo "FAIL $1: want '$wanted', got '$got'" >&2; failures=$((failures + 1)); fi
}
value_sets=$("$sysfence" help-export --value-sets)
if [[ $(wc -l <<<"$value_sets") -lt 10 ]]; then echo "FAIL: help-export --value-sets lists too few options" >&2; exit 1; fi
# The words typed before an option's value: the global options go before the command.
value_prefix() {  # COMMAND: "sysfence" or "sysfence COMMAND"
  if [[ $1 == sysfence ]]; then echo sysfence; else echo "sysfence $1"; fi
}
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
expect "bash file" "$dir/sysfence.bash" "$(bash_complete sysfence compile --weights "$dir/sysfence.b")"
while read -r command option words; do
  # shellcheck disable=SC2046  # the prefix is words
  same "bash $command $option" "$words" "$(bash_complete $(value_prefix "$command") "$option" "")"
done <<<"$value_sets"
same "bash --format= (split at =)" "k8s k8s-json" "$(bash_complete sysfence compile --format = k8)"
same "bash --format=" "text json sarif" "$(bash_complete sysfence lint --format =)"
same "bash --format=VALUE in one word" "sfp" "$(bash_complete sysfence merge --format=s)"
expect "bash global value before the command" "compile" "$(bash_complete sysfence --color never comp)"
same "bash global option after the command" "always" "$(bash_complete sysfence compile --color al)"
same "bash syscalls" "open openat openat2 open_by_handle_at open_tree open_tree_attr" "$(bash_complete sysfence syscalls ope)"
same "bash --default" "EPERM kill" "$(bash_complete sysfence record --default EPE) $(bash_complete sysfence merge --default ki)"
expect "bash --constants" "all AF AF_INET" "$(bash_complete sysfence syscalls --constants A) $(bash_complete sysfence syscalls --constants al)"
expect "bash --pid" "$$" "$(bash_complete sysfence record --pid "$$")"
cgroups=(/sys/fs/cgroup/*/)
first_cgroup=${cgroups[0]%/}
expect "bash --cgroup" "$first_cgroup" "$(bash_complete sysfence record --cgroup "")"
same "bash policy files" "$scratch/sub $scratch/web.sfp $scratch/oci.json $scratch/k8s.yaml" \
     "$(bash_complete sysfence compile "$scratch/")"
same "bash run -P" "$scratch/web.sfp" "$(bash_complete sysfence run -P "$scratch/we")"
same "bash filter files" "$scratch/sub $scratch/web.sfp $scratch/oci.json $scratch/k8s.yaml $scratch/web.bpf" \
     "$(bash_complete sysfence disasm "$scratch/")"

if command -v fish >/dev/null; then
  fish_complete() { fish --no-config -c "source $dir/sysfence.fish; complete -C '$1'" | cut -f1 | tr '\n' ' '; }
  expect "fish command" "run" "$(fish_complete 'sysfence ru')"
  expect "fish options" "--output --format --arch" "$(fish_complete 'sysfence compile --')"
  expect "fish --arch value" "x86_64 x32" "$(fish_complete 'sysfence compile --arch x')"
  expect "fish syscall" "openat" "$(fish_complete 'sysfence eval p.sfp open')"
  expect "fish constants" "O_RDONLY" "$(fish_complete 'sysfence eval p.sfp openat O_RD')"
  expect "fish group" "@file-system" "$(fish_complete 'sysfence syscalls @file')"
  while read -r command option words; do
    same "fish $command $option" "$words" "$(fish_complete "$(value_prefix "$command") $option ")"
  done <<<"$value_sets"
  same "fish --format=" "k8s k8s-json" "$(fish_complete 'sysfence compile --format=k8' | sed 's/--format=//g')"
  expect "fish global value before the command" "compile" "$(fish_complete 'sysfence --color never comp')"
  same "fish syscalls" "open openat openat2 open_by_handle_at open_tree open_tree_attr" "$(fish_complete 'sysfence syscalls ope')"
  same "fish --default" "EPERM" "$(fish_complete 'sysfence record --default EPE')"
  expect "fish --constants" "AF AF_INET" "$(fish_complete 'sysfence syscalls --constants AF')"
  expect "fish --pid" "$$" "$(fish_complete "sysfence record --pid $$")"
  expect "fish --cgroup" "$first_cgroup/" "$(fish_complete 'sysfence record --cgroup /sys/fs/cgroup/')"
  same "fish policy files" "$scratch/sub/ $scratch/web.sfp $scratch/oci.json $scratch/k8s.yaml" \
       "$(fish_complete "sysfence compile $scratch/")"
  same "fish filter files" "$scratch/sub/ $scratch/web.sfp $scratch/oci.json $scratch/k8s.yaml $scratch/web.bpf" \
       "$(fish_complete "sysfence disasm $scratch/")"
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
      print -r -- "$out" | tr "\r" " " | sed "s/\x1b\[[0-9;?]*[a-zA-Z]/ /g"
      zpty -d z' _ "$dir" "$1" | tr -s ' \n' '  '
  }
  expect "zsh command" "run" "$(zsh_complete 'sysfence ru')"
  expect "zsh --arch value" "x86_64" "$(zsh_complete 'sysfence compile --arch x86_')"
  expect "zsh syscall" "openat" "$(zsh_complete 'sysfence eval p.sfp open')"
  expect "zsh constants" "O_RDONLY" "$(zsh_complete 'sysfence eval p.sfp openat O_RDON')"
  expect "zsh compile --format" "bpf disasm c json k8s k8s-json systemd oci-config" "$(zsh_complete 'sysfence compile --format ')"
  refuse "zsh compile --format" "sarif" "$(zsh_complete 'sysfence compile --format ')"
  expect "zsh --color" "auto always never" "$(zsh_complete 'sysfence --color ')"
  expect "zsh record --backend" "auto ebpf unotify ptrace" "$(zsh_complete 'sysfence record --backend ')"
  expect "zsh syscalls" "open openat openat2" "$(zsh_complete 'sysfence syscalls ope')"
  expect "zsh --default" "EPERM" "$(zsh_complete 'sysfence record --default EPER')"
  expect "zsh policy files" "web.sfp oci.json k8s.yaml" "$(cd "$scratch" && zsh_complete 'sysfence compile ')"
  refuse "zsh policy files" "notes.txt" "$(cd "$scratch" && zsh_complete 'sysfence compile ')"
else
  echo "FAIL: zsh is not installed (scripts/deps.txt lists it)" >&2; failures=$((failures + 1))
fi
exit $((failures > 0))
