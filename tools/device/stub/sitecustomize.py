"""On the device: cuDNN picks its fastest convolutions, matmuls may use TF32."""

try:
    import torch

    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True
except Exception:
    pass
