//! Local settings of this laptop (never synced): the facilitator's name that new sessions get,
//! the programme name printed on sheets and reports, the interface language, and bookkeeping such
//! as the last exported op. Also `info()`, what the UI needs to know at start.

use crate::error::{Invalid, Result};
use crate::model::fields;
use crate::{Device, Palabre};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    Facilitator,
    Programme,
    /// "fr" or "en".
    Language,
}

impl Setting {
    pub fn key(self) -> &'static str {
        match self {
            Setting::Facilitator => "facilitator",
            Setting::Programme => "programme",
            Setting::Language => "language",
        }
    }
}

pub(crate) use crate::store::settings::{get, number, put};

/// The languages of the interface and the documents.
pub const LANGUAGES: &[&str] = &["fr", "en"];

/// What the interface needs to know when it starts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AppInfo {
    pub initialized: bool,
    pub device: Option<Device>,
    pub facilitator: String,
    pub programme: String,
    pub language: String,
    pub database: Option<String>,
    pub version: &'static str,
    /// The most blank rows a sheet may have, so the window can say so before the save dialog.
    pub max_blank_rows: usize,
}

impl Palabre {
    pub fn setting(&self, setting: Setting) -> Result<Option<String>> {
        self.store().read(|c| get(c, setting.key()))
    }

    pub fn set_setting(&self, setting: Setting, value: &str) -> Result<()> {
        let value = fields::text(setting.key(), value, fields::SHORT_TEXT)?;
        if setting == Setting::Language && !LANGUAGES.contains(&value.as_str()) {
            return Err(Invalid::UnknownCode {
                field: "language",
                value,
                allowed: LANGUAGES.join(", "),
            }
            .into());
        }
        self.store().write(|tx| put(tx, setting.key(), &value))
    }

    pub fn info(&self) -> Result<AppInfo> {
        let device = self.store().read(crate::device::load)?;
        Ok(AppInfo {
            initialized: device.is_some(),
            device,
            facilitator: self.setting(Setting::Facilitator)?.unwrap_or_default(),
            programme: self.setting(Setting::Programme)?.unwrap_or_default(),
            language: self.setting(Setting::Language)?.unwrap_or_else(|| "fr".to_string()),
            database: self.path().map(|p| p.display().to_string()),
            version: env!("CARGO_PKG_VERSION"),
            max_blank_rows: crate::sheet::MAX_BLANK_ROWS,
        })
    }
}

impl Palabre {
    /// First start: this laptop's device name and its facilitator, both required. Checks both
    /// before writing anything.
    pub fn setup(&self, device_name: &str, facilitator: &str) -> Result<Device> {
        crate::device::validate_name(device_name)?;
        let facilitator = fields::required("facilitator", facilitator, fields::SHORT_TEXT)?;
        let device = self.init(device_name)?;
        self.set_setting(Setting::Facilitator, &facilitator)?;
        Ok(device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_validated_and_reported_in_info() {
        let app = Palabre::open_in_memory().unwrap();
        assert_eq!(app.info().unwrap().language, "fr", "French by default");
        assert!(!app.info().unwrap().initialized);
        app.set_setting(Setting::Language, "en").unwrap();
        let err = app.set_setting(Setting::Language, "de").unwrap_err();
        assert_eq!(err.code(), "invalid_code");
        app.set_setting(Setting::Facilitator, "  Mariam Sidibé ").unwrap();
        let info = app.info().unwrap();
        assert_eq!((info.language.as_str(), info.facilitator.as_str()), ("en", "Mariam Sidibé"));
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

impl Palabre {
    pub fn about(&self) -> About {
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
            data_folder: self.path().and_then(std::path::Path::parent).map(shown),
            database: self.path().map(shown),
            key_file: self.key_path().map(shown),
            backups_folder: self.path().map(|p| shown(&crate::backup::dir_of(p))),
        }
    }
}
