//! Work in progress (issue 6): not built yet.
