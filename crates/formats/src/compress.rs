//! compress (in progress).
