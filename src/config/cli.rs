//! The command line: the subcommands, and the settings every one of them takes.

use super::{SeedArgs, Settings};
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "plaudit", version, about = "Reader ratings for news articles")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply the database migrations, then exit.
    Migrate,
    /// Check every article's kept rating against a recount of its votes; exit 1 on a mismatch.
    Verify,
    /// Fill the database with made-up articles, votes and feedback, for a demo or a benchmark.
    Seed(SeedArgs),
    /// Import ratings kept elsewhere (see README, "Moving from WordPress").
    Import {
        #[command(subcommand)]
        source: ImportCommand,
    },
    /// Manage editors' API keys.
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it, once, alone on stdout.
    Create {
        /// Who or what the key is for.
        #[arg(long)]
        name: String,
        /// "read" for reports, "admin" to also edit metadata and reset articles.
        #[arg(long, default_value = "read", value_parser = ["read", "admin"])]
        scope: String,
    },
    /// List keys (never the keys themselves).
    List,
    /// Revoke a key by its id (as `keys list` shows it).
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Votes of a WordPress rating plugin (Rate My Post, kk Star Ratings, YASR,
    /// WP-PostRatings), read from the site's MySQL/MariaDB database, which is only read. Safe
    /// to run again: only what is new since the last run is added.
    Wordpress(crate::import::WordPressArgs),
}
