//! carecast library.
