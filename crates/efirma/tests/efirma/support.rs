//! A SAT-like world for the tests: an authority, a forger with the same name, holders'
//! certificates with the RFC in 2.5.4.45 and the CURP in 2.5.4.5, and .key files protected the
//! way SAT protects them (PBKDF2-HMAC-SHA1, DES-EDE3-CBC) or with AES-256-CBC.

use std::sync::OnceLock;

use efirma::{EfirmaError, TrustedIssuers};
use pkcs8::pkcs5::pbes2;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use rsa::pkcs8::EncodePrivateKey;
use time::{Duration, OffsetDateTime, macros::datetime};

/// The day the tests sign on.
pub const NOW: OffsetDateTime = datetime!(2025-06-15 12:00 UTC);
pub const PASSWORD: &str = "Mi clave de e.firma 2025";
pub const MEMBER_RFC: &str = "GODE561231GR8";
pub const MEMBER_CURP: &str = "GODE561231HDFRRN09";
pub const MESSAGE: &[u8] =
    b"devolucion|GODE561231GR8|folio=DEV-2025-000123|clabe=002180700000000001";

/// An RSA key pair made for the tests, as unencrypted PKCS#8 DER.
pub struct TestKey {
    pkcs8: Vec<u8>,
}

impl TestKey {
    fn generate() -> TestKey {
        let key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
        TestKey {
            pkcs8: key.to_pkcs8_der().unwrap().as_bytes().to_vec(),
        }
    }

    fn key_pair(&self) -> KeyPair {
        KeyPair::try_from(self.pkcs8.as_slice()).unwrap()
    }

    pub fn plain_pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The .key as SAT writes it: PBES2, PBKDF2 with the default PRF (HMAC-SHA1, so absent
    /// from the file), 2048 rounds, DES-EDE3-CBC.
    pub fn sat_key(&self, password: &str) -> Vec<u8> {
        let params = pbes2::Parameters {
            kdf: pbes2::Pbkdf2Params {
                salt: pbes2::Salt::new([7u8; 8]).unwrap(),
                iteration_count: 2048,
                key_length: None,
                prf: pbes2::Pbkdf2Prf::HmacWithSha1,
            }
            .into(),
            encryption: pbes2::EncryptionScheme::DesEde3Cbc { iv: [9u8; 8] },
        };
        self.encrypt(params, password)
    }

    /// The .key re-exported with PBKDF2-HMAC-SHA256 and AES-256-CBC.
    pub fn aes_key(&self, password: &str) -> Vec<u8> {
        let params =
            pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(2048, &[3u8; 16], [5u8; 16])
                .unwrap();
        self.encrypt(params, password)
    }

    pub fn encrypt(&self, params: pbes2::Parameters, password: &str) -> Vec<u8> {
        pkcs8::PrivateKeyInfoRef::try_from(self.pkcs8.as_slice())
            .unwrap()
            .encrypt_with_params(params, password)
            .unwrap()
            .as_bytes()
            .to_vec()
    }
}

/// The keys, made once per test binary, two at a time.
pub struct Keys {
    pub sat: TestKey,
    pub forger: TestKey,
    pub member: TestKey,
    pub stranger: TestKey,
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        std::thread::scope(|scope| {
            let made: Vec<_> = (0..4)
                .map(|_| scope.spawn(TestKey::generate))
                .collect::<Vec<_>>()
                .into_iter()
                .map(|handle| handle.join().unwrap())
                .collect();
            let [sat, forger, member, stranger] = <[TestKey; 4]>::try_from(made)
                .map_err(|_| "four keys")
                .unwrap();
            Keys {
                sat,
                forger,
                member,
                stranger,
            }
        })
    })
}

/// A certification authority: its certificate and what it signs with.
pub struct Authority {
    pub der: Vec<u8>,
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn sat_name() -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(
        DnType::CommonName,
        "AC DEL SERVICIO DE ADMINISTRACION TRIBUTARIA",
    );
    name.push(
        DnType::OrganizationName,
        "SERVICIO DE ADMINISTRACION TRIBUTARIA",
    );
    name.push(DnType::OrganizationalUnitName, "SAT-IES Authority");
    name.push(DnType::CountryName, "MX");
    name.push(
        DnType::CustomDnType(vec![2, 5, 4, 45]),
        DnValue::PrintableString("SAT970701NN3".try_into().unwrap()),
    );
    name
}

fn authority(key: &TestKey, name: DistinguishedName) -> Authority {
    let mut params = CertificateParams::default();
    params.distinguished_name = name;
    params.not_before = datetime!(2019-06-01 0:00 UTC);
    params.not_after = datetime!(2031-06-01 0:00 UTC);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key_pair = key.key_pair();
    let certificate = params.self_signed(&key_pair).unwrap();
    Authority {
        der: certificate.der().to_vec(),
        pem: certificate.pem(),
        issuer: Issuer::new(params, key_pair),
    }
}

/// The SAT authority the portal trusts.
pub fn sat() -> &'static Authority {
    static SAT: OnceLock<Authority> = OnceLock::new();
    SAT.get_or_init(|| authority(&keys().sat, sat_name()))
}

/// Someone else's authority with exactly the SAT authority's name.
pub fn forger() -> &'static Authority {
    static FORGER: OnceLock<Authority> = OnceLock::new();
    FORGER.get_or_init(|| authority(&keys().forger, sat_name()))
}

/// An authority with a name of its own.
pub fn other_authority() -> &'static Authority {
    static OTHER: OnceLock<Authority> = OnceLock::new();
    OTHER.get_or_init(|| {
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "Autoridad Certificadora Patito");
        name.push(DnType::CountryName, "MX");
        authority(&keys().forger, name)
    })
}

pub fn trusted() -> TrustedIssuers {
    TrustedIssuers::from_der_list(&[&sat().der]).unwrap()
}

/// What goes into a holder's certificate; the default is the member's e.firma, valid from
/// 2023 to 2027, as SAT issues it.
pub struct Holder {
    pub name: &'static str,
    pub rfc: Option<&'static str>,
    pub serial_number_attribute: Option<&'static str>,
    /// The branch name SAT writes on seal certificates (CSD) only.
    pub branch: Option<&'static str>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub key_usages: Vec<KeyUsagePurpose>,
    pub serial: &'static [u8],
}

impl Default for Holder {
    fn default() -> Holder {
        Holder {
            name: "EDUARDO GOMEZ DIAZ",
            rfc: Some(MEMBER_RFC),
            serial_number_attribute: Some(MEMBER_CURP),
            branch: None,
            not_before: datetime!(2023-01-10 17:30:00 UTC),
            not_after: datetime!(2027-01-10 17:30:00 UTC),
            key_usages: vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
                KeyUsagePurpose::DataEncipherment,
                KeyUsagePurpose::KeyAgreement,
            ],
            serial: b"30001000000500012345",
        }
    }
}

impl Holder {
    /// The certificate for `key`, signed by `by`, as DER.
    pub fn issue(&self, key: &TestKey, by: &Authority) -> Vec<u8> {
        let printable = |text: &str| DnValue::PrintableString(text.try_into().unwrap());
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, printable(self.name));
        name.push(
            DnType::CustomDnType(vec![2, 5, 4, 41]),
            printable(self.name),
        );
        name.push(DnType::OrganizationName, printable(self.name));
        name.push(DnType::CountryName, printable("MX"));
        if let Some(rfc) = self.rfc {
            name.push(DnType::CustomDnType(vec![2, 5, 4, 45]), printable(rfc));
        }
        if let Some(serial_number) = self.serial_number_attribute {
            name.push(
                DnType::CustomDnType(vec![2, 5, 4, 5]),
                printable(serial_number),
            );
        }
        if let Some(branch) = self.branch {
            name.push(DnType::OrganizationalUnitName, printable(branch));
        }
        let mut params = CertificateParams::default();
        params.distinguished_name = name;
        params.not_before = self.not_before;
        params.not_after = self.not_after;
        params.key_usages = self.key_usages.clone();
        params.serial_number = Some(SerialNumber::from_slice(self.serial));
        params
            .signed_by(&key.key_pair(), &by.issuer)
            .unwrap()
            .der()
            .to_vec()
    }
}

/// The member's e.firma certificate, issued by SAT.
pub fn member_cer() -> &'static [u8] {
    static CER: OnceLock<Vec<u8>> = OnceLock::new();
    CER.get_or_init(|| Holder::default().issue(&keys().member, sat()))
}

/// The member's .key as SAT writes it.
pub fn member_key() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(|| keys().member.sat_key(PASSWORD))
}

/// The code of an outcome, "ok" for success, so expectations read as one line.
pub fn code<T>(result: Result<T, EfirmaError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(error) => error.code(),
    }
}

/// A day past `time`.
pub fn day_after(time: OffsetDateTime) -> OffsetDateTime {
    time + Duration::days(1)
}

/// Bytes that look random and are the same every run (xorshift).
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}
