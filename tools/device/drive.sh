#!/bin/bash
# On the device, in the background: (a VAE,) a latent cache, a 40-step probe, and a transformer
# run whose step count fills the time left, all to end by T0 + END_S seconds.
#   TR       the transformer config (configs/model-gpu.toml)
#   VAE      a VAE model folder to train on; unset, configs/vae-gpu.toml trains one first,
#            for about VAE_S seconds (skipped when $G/vae/model exists)
# The latent cache is built in the background all the while (BUILD_WORKERS render processes);
# once FIRST_SHARDS shards are written, a 40-step probe beside it sets the step rate (RATE, a
# guess, if it fails), and the run trains with cache_grow, taking in new shards at each
# checkpoint (every SAVE_EVERY steps).
set -u
R=$(pwd); G=${G:-/tmp/gpu}; mkdir -p $G; echo $$ > $G/drive.pid
exec > $G/drive.log 2>&1
T0=$(date +%s); VAE_S=${VAE_S:-420}; END=$((T0 + ${END_S:-1480}))
TR=${TR:-configs/model-gpu.toml}
export PYTHONPATH=$R/src:$R/tools/device/stub:/tmp/site PYTHONUNBUFFERED=1 TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1
[ -n "${LOCAL:-}" ] || python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/whl/*.whl
python3 tools/device/unpack_minilm.py .gpu/minilm /tmp/minilm
nvidia-smi --query-gpu=name,memory.used --format=csv 2>/dev/null; nproc
ST="python3 -m spacetime.cli"
at() { echo "== $1 at $(($(date +%s) - T0)) s"; }
rate() {  # seconds per step between the first and last logged loss of a run
python3 - "$1" <<'EOF'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"loss"' in l]
print((r[-1]["elapsed"] - r[0]["elapsed"]) / (r[-1]["step"] - r[0]["step"]))
EOF
}
if [ -z "${VAE:-}" ]; then
VAE=$G/vae/model
if [ ! -d $VAE ]; then
at "vae probe"
$ST train configs/vae-gpu.toml --set out=$G/vae-probe --set steps=60 --set save_every=1000 --set preview_every=1000 ${EXTRA_VAE:-} -q || exit 1
S=$(rate $G/vae-probe/log.jsonl); N=$(python3 -c "print(max(100, int($VAE_S / $S)))")
at "vae: $S s/step, $N steps"
$ST train configs/vae-gpu.toml --set out=$G/vae --set steps=$N ${EXTRA_VAE:-} -q || exit 1
fi
fi
M=$G/model
A="$TR --set out=$M --set vae=$VAE ${EXTRA_TR:-}"
nshards() { ls $M/cache/*/shard-*.safetensors 2>/dev/null | wc -l; }
clean() { rm -rf $M/ckpt-* $M/latest $M/log.jsonl $M/model $M/config.json; }
at "cache build, in the background until the end"
timeout -k 10 $((END - $(date +%s))) $ST train $A --set steps=1 --set cache_clips=1048576 \
  --set workers=${BUILD_WORKERS:-13} -q > $G/build.log 2>&1 &
while [ $(nshards) -lt ${FIRST_SHARDS:-2} ] && [ $(date +%s) -lt $((END - 120)) ]; do sleep 2; done
at "probe: 40 steps on $(nshards) shards, beside the build"
timeout -k 10 120 $ST train $A --set cache_grow=true --set steps=40 --set log_every=10 --set save_every=100000 -q
if grep -q '"step": 40' $M/log.jsonl 2>/dev/null; then S=$(rate $M/log.jsonl); else S=${RATE:-0.1}; fi
cp $M/log.jsonl $G/model-probe.jsonl 2>/dev/null; clean
N=$(python3 -c "print(max(100, int(($END - $(date +%s) - 40) / $S)))")
at "transformer: $S s/step, $N steps on $(nshards) shards and those still to come"
(sleep 90; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv; uptime) &
$ST train $A --set cache_grow=true --set steps=$N --set save_every=${SAVE_EVERY:-250} -q || exit 1
at "done: $(nshards) shards"
wait
