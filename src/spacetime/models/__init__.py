"""Model components: the small Wan VAE and transformer, the MiniLM text encoder, model folders."""
