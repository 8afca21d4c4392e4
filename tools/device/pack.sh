#!/bin/bash
# What a call brings back: logs, previews, and each run's model (exported from its newest
# checkpoint while it still trains), as a tar split into parts under $OUT.
R=$(pwd); G=${G:-/tmp/gpu}
export PYTHONPATH=$R/src:$R/tools/device/stub:/tmp/site
cd $G || exit 0
for run in vae model; do
  if [ -f $run/latest ] && [ ! -d $run/model ]; then
    (cd $R && python3 -m spacetime.cli export $G/$run -o $G/$run-export -q)
  fi
done
ls -d drive.log build.log *.jsonl */log.jsonl */previews */model *-export */cache/*/build.json 2>/dev/null | grep -v -e probe/previews -e probe/model > /tmp/list
tar czf /tmp/pack.tgz -T /tmp/list && split -b 15M /tmp/pack.tgz ${OUT:-/tmp/out}/pack.tgz.part-
tail -5 drive.log; ls -la ${OUT:-/tmp/out}
