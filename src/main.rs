fn main() -> std::process::ExitCode {
    dossier::desktop::main().into()
}
