//! A SAT-like world for the tests of the crates that take an e.firma (feature `testing`): an
//! authority, holders' certificates with the RFC in 2.5.4.45 and the CURP in 2.5.4.5, and `.key`
//! files protected the way SAT protects them (PBES2, PBKDF2-HMAC-SHA1, DES-EDE3-CBC). Made for
//! tests only: nothing here belongs to anyone, and a failure to build is a broken test, so it
//! panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pkcs8::pkcs5::pbes2;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use rsa::pkcs8::EncodePrivateKey;
use time::OffsetDateTime;

use crate::TrustedIssuers;

/// An RSA key pair made for a test, as unencrypted PKCS#8 DER. Making one takes a moment:
/// keep them in a `OnceLock`.
pub struct TestKey {
    pkcs8: Vec<u8>,
}

impl TestKey {
    pub fn generate() -> TestKey {
        let key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
        TestKey {
            pkcs8: key.to_pkcs8_der().unwrap().as_bytes().to_vec(),
        }
    }

    /// Several keys at once, one thread each.
    pub fn generate_many(n: usize) -> Vec<TestKey> {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..n).map(|_| scope.spawn(TestKey::generate)).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    }

    fn key_pair(&self) -> KeyPair {
        KeyPair::try_from(self.pkcs8.as_slice()).unwrap()
    }

    /// The `.key` as SAT writes it: PBES2, PBKDF2 with HMAC-SHA1, 2048 rounds, DES-EDE3-CBC.
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
        pkcs8::PrivateKeyInfoRef::try_from(self.pkcs8.as_slice())
            .unwrap()
            .encrypt_with_params(params, password)
            .unwrap()
            .as_bytes()
            .to_vec()
    }
}

/// A certification authority: its certificate and what it signs with.
pub struct Authority {
    pub der: Vec<u8>,
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Authority {
    /// An authority named like SAT's, valid from 2019 to 2040.
    pub fn sat(key: &TestKey) -> Authority {
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
        let mut params = CertificateParams::default();
        params.distinguished_name = name;
        params.not_before = time::macros::datetime!(2019-06-01 0:00 UTC);
        params.not_after = time::macros::datetime!(2040-06-01 0:00 UTC);
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

    /// This authority alone, as the portal would trust it.
    pub fn trusted(&self) -> TrustedIssuers {
        TrustedIssuers::from_der_list(&[&self.der]).unwrap()
    }
}

/// What goes into a holder's e.firma certificate.
#[derive(Clone, Debug)]
pub struct Holder {
    pub name: String,
    pub rfc: String,
    pub curp: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub serial: Vec<u8>,
}

impl Holder {
    /// A person's e.firma valid from `not_before` to `not_after`.
    pub fn new(
        name: &str,
        rfc: &str,
        curp: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Holder {
        Holder {
            name: name.to_owned(),
            rfc: rfc.to_owned(),
            curp: curp.to_owned(),
            not_before,
            not_after,
            serial: b"30001000000500012345".to_vec(),
        }
    }

    /// The certificate for `key`, signed by `by`, as DER.
    pub fn issue(&self, key: &TestKey, by: &Authority) -> Vec<u8> {
        let printable = |text: &str| DnValue::PrintableString(text.try_into().unwrap());
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, printable(&self.name));
        name.push(
            DnType::CustomDnType(vec![2, 5, 4, 41]),
            printable(&self.name),
        );
        name.push(DnType::OrganizationName, printable(&self.name));
        name.push(DnType::CountryName, printable("MX"));
        name.push(
            DnType::CustomDnType(vec![2, 5, 4, 45]),
            printable(&self.rfc),
        );
        name.push(
            DnType::CustomDnType(vec![2, 5, 4, 5]),
            printable(&self.curp),
        );
        let mut params = CertificateParams::default();
        params.distinguished_name = name;
        params.not_before = self.not_before;
        params.not_after = self.not_after;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        params.serial_number = Some(SerialNumber::from_slice(&self.serial));
        params
            .signed_by(&key.key_pair(), &by.issuer)
            .unwrap()
            .der()
            .to_vec()
    }
}
