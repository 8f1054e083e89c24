// This directory is on the protocol layer's include path only.
#error "the protocol layer is pure: it must not include asio (see docs/architecture.md)"
