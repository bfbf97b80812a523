"""The worker machinery every channel's worker runs in, whatever it speaks.

`loop` is the resilient loop (backoff, heartbeat, health) and `status` publishes what each
worker is doing. Neither is NATS: the relay and the inbound worker (connectors/nats/), the
projection runner, and the EDI and ERP workers to come all run in them, so they live beside
the channels, not inside one. The loop's list of transient failures names every transport's
(the store's, NATS's); a new channel adds its own there.
"""
