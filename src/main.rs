fn main() {
    std::process::exit(dossier::desktop::main());
}
