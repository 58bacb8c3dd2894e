//! The facilitator's settings on this laptop (never synced): the facilitator's name that new
//! sessions get, the programme name printed on sheets and reports, the interface language. They
//! are three of the keys of `store::bookkeeping`, where everything the app keeps about itself is
//! listed. Also `info()`, what the UI needs to know at start, and the About box.

use crate::error::{Invalid, Result};
use crate::i18n::Lang;
use crate::model::fields;
use crate::store::bookkeeping::{self, Key};
use crate::{Device, Palabre};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    Facilitator,
    Programme,
    /// "fr" or "en".
    Language,
    /// The IATI identifier of the programme's activity (the reporting organisation's identifier,
    /// a dash, the activity's own), for the IATI results export.
    IatiActivity,
    /// The reporting organisation's IATI identifier (e.g. CH-FDJP-1234).
    IatiOrg,
}

impl Setting {
    fn key(self) -> Key {
        match self {
            Setting::Facilitator => Key::Facilitator,
            Setting::Programme => Key::Programme,
            Setting::Language => Key::Language,
            Setting::IatiActivity => Key::IatiActivity,
            Setting::IatiOrg => Key::IatiOrg,
        }
    }

    fn field(self) -> &'static str {
        self.key().name()
    }
}

/// A language code as typed by a person or a front end ("fr", "en"), or a clear error.
pub fn parse_language(code: &str) -> Result<Lang> {
    Lang::parse(code).ok_or_else(|| {
        Invalid::UnknownCode {
            field: "language",
            value: code.to_string(),
            allowed: Lang::ALL.map(Lang::code).join(", "),
        }
        .into()
    })
}

/// What the interface needs to know when it starts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AppInfo {
    pub initialized: bool,
    pub device: Option<Device>,
    pub facilitator: String,
    pub programme: String,
    pub language: Lang,
    pub database: Option<String>,
    pub version: &'static str,
    /// The most blank rows a sheet may have, so the window can say so before the save dialog.
    pub max_blank_rows: usize,
    /// The IATI identifiers of the results export (empty until set).
    pub iati_org: String,
    pub iati_activity: String,
}

pub(crate) fn setting(app: &Palabre, setting: Setting) -> Result<Option<String>> {
    app.store().read(|c| bookkeeping::get(c, setting.key()))
}

pub(crate) fn language(app: &Palabre) -> Result<Lang> {
    Ok(app.setting(Setting::Language)?.and_then(|code| Lang::parse(&code)).unwrap_or_default())
}

pub(crate) fn set_setting(app: &Palabre, setting: Setting, value: &str) -> Result<()> {
    let mut value = fields::text(setting.field(), value, fields::SHORT_TEXT)?;
    if setting == Setting::Language {
        value = parse_language(&value)?.code().to_string();
    }
    if matches!(setting, Setting::IatiActivity | Setting::IatiOrg) && !value.is_empty() {
        value = fields::iati_identifier(setting.field(), &value)?;
    }
    app.store().write(|tx| bookkeeping::put(tx, setting.key(), &value))
}

pub(crate) fn info(app: &Palabre) -> Result<AppInfo> {
    let device = app.store().read(crate::device::load)?;
    Ok(AppInfo {
        initialized: device.is_some(),
        device,
        facilitator: app.setting(Setting::Facilitator)?.unwrap_or_default(),
        programme: app.setting(Setting::Programme)?.unwrap_or_default(),
        language: app.language()?,
        database: app.path().map(|p| p.display().to_string()),
        version: env!("CARGO_PKG_VERSION"),
        max_blank_rows: crate::sheet::MAX_BLANK_ROWS,
        iati_org: app.setting(Setting::IatiOrg)?.unwrap_or_default(),
        iati_activity: app.setting(Setting::IatiActivity)?.unwrap_or_default(),
    })
}

/// A first start, from the window or `palabre init`: this computer's name, and what the person
/// setting it up chose among the settings. A facilitator given must not be blank (the window
/// always asks for one; an HQ computer set up from the command line may have none).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SetUp {
    pub device_name: String,
    pub facilitator: Option<String>,
    pub programme: Option<String>,
    pub language: Option<String>,
}

pub(crate) fn set_up(app: &Palabre, set_up: &SetUp) -> Result<Device> {
    let name = crate::device::validate_name(&set_up.device_name)?;
    let mut values = Vec::new();
    if let Some(f) = &set_up.facilitator {
        values.push((Key::Facilitator, fields::required("facilitator", f, fields::SHORT_TEXT)?));
    }
    if let Some(p) = &set_up.programme {
        values.push((Key::Programme, fields::text("programme", p, fields::SHORT_TEXT)?));
    }
    if let Some(l) = &set_up.language {
        values.push((Key::Language, parse_language(l)?.code().to_string()));
    }
    app.make_identity(&name, |tx| {
        values.iter().try_for_each(|(key, value)| bookkeeping::put(tx, *key, value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_validated_and_reported_in_info() {
        let app = Palabre::open_in_memory().unwrap();
        assert_eq!(app.info().unwrap().language, Lang::Fr, "French by default");
        assert!(!app.info().unwrap().initialized);
        app.set_setting(Setting::Language, "en").unwrap();
        let err = app.set_setting(Setting::Language, "de").unwrap_err();
        assert_eq!(err.code(), "invalid_code");
        app.set_setting(Setting::Facilitator, "  Mariam Sidibé ").unwrap();
        let info = app.info().unwrap();
        assert_eq!((info.language, info.facilitator.as_str()), (Lang::En, "Mariam Sidibé"));
    }
}

/// What the About box shows: who we are, under which licences, and where the data lives.
#[derive(Debug, Clone, serde::Serialize)]
pub struct About {
    pub name: &'static str,
    pub version: &'static str,
    pub licence: &'static str,
    pub licence_text: &'static str,
    pub fonts: Vec<FontLicence>,
    /// The folder holding the database, its key file and its backups.
    pub data_folder: Option<String>,
    pub database: Option<String>,
    pub key_file: Option<String>,
    pub backups_folder: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FontLicence {
    pub name: &'static str,
    pub licence: &'static str,
    pub text: &'static str,
}

pub(crate) fn about(app: &Palabre) -> About {
    let shown = |p: &std::path::Path| p.display().to_string();
    About {
        name: "Palabre",
        version: env!("CARGO_PKG_VERSION"),
        licence: env!("CARGO_PKG_LICENSE"),
        licence_text: include_str!("../LICENSE"),
        fonts: vec![FontLicence {
            name: "Noto Sans",
            licence: "SIL Open Font License 1.1",
            text: include_str!("../assets/fonts/LICENSE-NotoSans.txt"),
        }],
        data_folder: app.path().and_then(std::path::Path::parent).map(shown),
        database: app.path().map(shown),
        key_file: app.key_path().map(shown),
        backups_folder: app.path().map(|p| shown(&crate::backup::dir_of(p))),
    }
}
