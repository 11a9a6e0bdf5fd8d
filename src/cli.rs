//! The commands. The only module that prints; everything else returns data.

/// Runs the command line and returns the process exit code (0 ok, 1 findings, 2 cannot run).
pub fn main() -> i32 {
    0
}
