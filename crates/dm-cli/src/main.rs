//! The `xdm` binary; everything lives in the `dm_cli` library.

fn main() -> std::process::ExitCode {
    dm_cli::main()
}
