pub mod add_team_member;
pub mod create_api_key;
pub mod list_api_keys;
pub mod list_team;
pub mod revoke_api_key;
