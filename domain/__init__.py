"""The improvement plan itself: pure rules and services, no I/O."""
