//! The `carecast` binary: parses arguments and hands them to the library.

use clap::Parser;

fn main() {
    let cli = carecast::cli::Cli::parse();
    if let Err(e) = carecast::app::main(cli) {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
