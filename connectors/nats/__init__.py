"""NATS JetStream: the relay publishing the event log, the inbound command worker, dead letters."""
