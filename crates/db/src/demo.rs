//! Demo data: a living marketplace right after the first start.
//!
//! Created only on an empty database (no users), unless `BAZAAR_DEMO=0`. Every
//! feature adds its part here, so a newcomer sees each screen with real content.

use crate::accounts::{NewUserInput, SignupInput, create_user_unchecked, signup_seller};
use crate::{Db, Result};
use domain::accounts::{MemberRole, Role};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "bazaar-demo";

/// One demo login, for the start-up banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub email: &'static str,
    pub what: &'static str,
}

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "seller@demo.bazaar",
        what: "seller (owner), ООО «Северный ветер»",
    },
    DemoAccount {
        email: "accountant@demo.bazaar",
        what: "seller (accountant), ООО «Северный ветер»",
    },
    DemoAccount {
        email: "seller2@demo.bazaar",
        what: "seller (owner), ИП Козлова А. В. — the second seller",
    },
    DemoAccount {
        email: "newseller@demo.bazaar",
        what: "seller awaiting verification, ООО «Тёплый дом»",
    },
    DemoAccount {
        email: "moderator@demo.bazaar",
        what: "moderator",
    },
    DemoAccount {
        email: "finance@demo.bazaar",
        what: "finance",
    },
    DemoAccount {
        email: "admin@demo.bazaar",
        what: "administrator",
    },
];

/// Creates the demo marketplace. Returns false (and does nothing) when the database
/// already has users.
pub async fn seed(db: &Db) -> Result<bool> {
    if crate::accounts::count_users(db).await? > 0 {
        return Ok(false);
    }
    let staff = |email: &str, role: Role| NewUserInput {
        email: email.into(),
        password: DEMO_PASSWORD.into(),
        role,
        seller_name: None,
        seller_inn: None,
        display_name: None,
    };
    create_user_unchecked(db, &staff("admin@demo.bazaar", Role::Admin)).await?;
    create_user_unchecked(db, &staff("moderator@demo.bazaar", Role::Moderator)).await?;
    create_user_unchecked(db, &staff("finance@demo.bazaar", Role::Finance)).await?;

    let north = NewUserInput {
        email: "seller@demo.bazaar".into(),
        password: DEMO_PASSWORD.into(),
        role: Role::Seller,
        seller_name: Some("ООО «Северный ветер»".into()),
        seller_inn: Some("7728123459".into()),
        display_name: Some("Иван Петров".into()),
    };
    let north_owner = create_user_unchecked(db, &north).await?;
    let principal = crate::auth::principal_for_user(db, north_owner)
        .await?
        .ok_or_else(|| crate::Error::Internal("demo owner vanished".into()))?;
    crate::accounts::add_team_member(
        db,
        &principal.seller()?,
        "accountant@demo.bazaar",
        DEMO_PASSWORD,
        MemberRole::Accountant,
        "Мария Смирнова",
    )
    .await?;

    create_user_unchecked(
        db,
        &NewUserInput {
            email: "seller2@demo.bazaar".into(),
            password: DEMO_PASSWORD.into(),
            role: Role::Seller,
            seller_name: Some("ИП Козлова Анна Викторовна".into()),
            seller_inn: Some("771234567859".into()),
            display_name: Some("Анна Козлова".into()),
        },
    )
    .await?;
    signup_seller(
        db,
        &SignupInput {
            organisation: "ООО «Тёплый дом»".into(),
            inn: "7801122331".into(),
            email: "newseller@demo.bazaar".into(),
            password: DEMO_PASSWORD.into(),
            display_name: "Олег Васильев".into(),
        },
    )
    .await?;
    Ok(true)
}
