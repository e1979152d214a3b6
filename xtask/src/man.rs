//! `cargo xtask man [--out DIR]`: the man page and the shell completion scripts, generated
//! by the `xdm` binary from its clap definitions (`xdm man`, `xdm completions SHELL`), written
//! to `target/man/` (or `DIR`) for packagers: `xdm.1`, `xdm.bash`, `_xdm`, `xdm.fish`,
//! `xdm.ps1`, `xdm.elv`.

use std::path::PathBuf;
use std::process::Command;

/// Builds `xdm` and writes the files; returns where.
pub fn run(args: &[String]) -> Result<(), String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?
        .to_path_buf();
    let out = match args.iter().position(|a| a == "--out") {
        Some(i) => PathBuf::from(args.get(i + 1).ok_or("--out needs a directory")?),
        None => root.join("target").join("man"),
    };
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let xdm = |args: &[&str]| -> Result<Vec<u8>, String> {
        let output = Command::new(env!("CARGO"))
            .current_dir(&root)
            .args(["run", "--quiet", "-p", "dm-cli", "--bin", "xdm", "--"])
            .args(args)
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "xdm {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(output.stdout)
    };
    let files = [
        ("xdm.1", vec!["man"]),
        ("xdm.bash", vec!["completions", "bash"]),
        ("_xdm", vec!["completions", "zsh"]),
        ("xdm.fish", vec!["completions", "fish"]),
        ("xdm.ps1", vec!["completions", "powershell"]),
        ("xdm.elv", vec!["completions", "elvish"]),
    ];
    for (name, args) in files {
        let bytes = xdm(&args)?;
        let path = out.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
