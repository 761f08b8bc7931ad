use clap::Parser;
use plaudit::config::{Cli, Command};
use plaudit::startup::{Application, open_store};
use plaudit::telemetry;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = cli.settings;
    telemetry::init(&settings.log, &settings.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => Application::build(&settings).await?.run().await?,
        Command::Migrate => {
            let store = open_store(&settings).await?;
            tracing::info!(backend = store.backend_name(), "migrations applied");
            store.close().await;
        }
    }
    Ok(())
}
