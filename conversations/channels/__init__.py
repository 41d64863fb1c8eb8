"""WhatsApp channels: one package per provider (meta, whaticket, sandbox) and the registry
that finds them by kind. A channel turns webhooks into `InboundMessage`s and sends replies."""
