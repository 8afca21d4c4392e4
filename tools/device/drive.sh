#!/bin/bash
# On the device, in the background: a VAE, then its latent cache and a transformer, each
# stage's step count set from a short probe so that the whole ends by T0 + END_S seconds.
set -u
R=$(pwd); G=${G:-/tmp/gpu}; mkdir -p $G; echo $$ > $G/drive.pid
exec > $G/drive.log 2>&1
T0=$(date +%s); VAE_S=${VAE_S:-420}; END=$((T0 + ${END_S:-1480}))
export PYTHONPATH=$R/src:$R/tools/device/stub:/tmp/site PYTHONUNBUFFERED=1 TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1
[ -n "${LOCAL:-}" ] || python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/whl/*.whl
python3 tools/device/unpack_minilm.py .gpu/minilm /tmp/minilm
nvidia-smi --query-gpu=name,memory.used --format=csv 2>/dev/null; nproc
ST="python3 -m spacetime.cli"
rate() {  # seconds per step between the first and last logged loss of a run
python3 - "$1" <<'EOF'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1] + "/log.jsonl") if '"loss"' in l]
print((r[-1]["elapsed"] - r[0]["elapsed"]) / (r[-1]["step"] - r[0]["step"]))
EOF
}
if [ ! -d $G/vae/model ]; then
echo "== vae probe $(($(date +%s) - T0))"
$ST train configs/vae-gpu.toml --set out=$G/vae-probe --set steps=60 --set save_every=1000 --set preview_every=1000 ${EXTRA_VAE:-} -q || exit 1
S=$(rate $G/vae-probe); N=$(python3 -c "print(max(100, int($VAE_S / $S)))")
echo "== vae: $S s/step, $N steps $(($(date +%s) - T0))"
$ST train configs/vae-gpu.toml --set out=$G/vae --set steps=$N ${EXTRA_VAE:-} -q || exit 1
fi
echo "== cache + transformer probe $(($(date +%s) - T0))"
TR="configs/model-gpu.toml --set out=$G/model --set vae=$G/vae/model ${EXTRA_TR:-}"
$ST train $TR --set steps=60 --set save_every=1000 --set preview_every=1000 -q || exit 1
S=$(rate $G/model); cp $G/model/log.jsonl $G/model-probe.jsonl
rm -rf $G/model/ckpt-* $G/model/latest $G/model/log.jsonl $G/model/model
N=$(python3 -c "print(max(100, int(($END - $(date +%s) - 40) / $S)))")
echo "== transformer: $S s/step, $N steps $(($(date +%s) - T0))"
$ST train $TR --set steps=$N -q || exit 1
echo "== done $(($(date +%s) - T0))"
