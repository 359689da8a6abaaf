pub mod account;
pub mod errors;
pub mod home;
pub mod login;
pub mod signup;
