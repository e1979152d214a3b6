//! A larger pipe buffer for standard output.

/// The buffer asked for: 1 MiB, the most an unprivileged process may ask for by default
/// (`/proc/sys/fs/pipe-max-size`).
#[cfg(target_os = "linux")]
const PIPE_SIZE: i32 = 1 << 20;

/// When standard output is a pipe, asks Linux for a 1 MiB buffer instead of 64 KiB: a page
/// of records (100 events, about 100 KiB) then goes out in one `write` without waiting for
/// the reader to drain the pipe, and both processes are woken less often (`xdm events |
/// jq`). Best effort: a refusal (the user's pipe quota, an older kernel) leaves it as it was;
/// elsewhere it does nothing.
pub(crate) fn widen_stdout() {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::FileTypeExt;

        let out = std::io::stdout();
        let is_pipe = out
            .as_fd()
            .try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .is_ok_and(|m| m.file_type().is_fifo());
        if is_pipe {
            let _ = nix::fcntl::fcntl(out.as_fd(), nix::fcntl::FcntlArg::F_SETPIPE_SZ(PIPE_SIZE));
        }
    }
}
