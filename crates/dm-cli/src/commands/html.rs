pub(crate) async fn export(_s: &dm_store::Store, _a: &dm_store::Account, _args: &crate::cli::ExportArgs) -> Result<(), crate::error::CliError> { todo!() }
