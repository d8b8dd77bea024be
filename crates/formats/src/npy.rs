//! npy (in progress).
