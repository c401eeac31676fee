//! What the site's manifest records of each file it wrote, how it is
//! stored (postcard shards; the JSON of version 2 is still read), and the
//! hashes and hasher the exporter uses. Writing the folder is `output`'s.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The shard of the manifest that records `path`.
pub(super) fn shard_of(path: &str) -> u8 {
    xxhash_rust::xxh3::xxh3_64(path.as_bytes()) as u8
}

pub(super) fn shard_name(shard: u8) -> String {
    format!("{shard:02x}.bin")
}

/// A shard of the manifest as written: its version and, by path, each
/// file's hash, length and view hash (see [`Record`]).
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Shard {
    pub(super) version: u32,
    pub(super) files: Vec<(String, u128, u64, Option<u128>)>,
}

impl Shard {
    pub(super) fn records(self) -> impl Iterator<Item = (String, Record)> {
        self.files
            .into_iter()
            .map(|(path, hash, len, input)| (path, Record { hash, len, input }))
    }
}

/// A hasher for maps of short keys (paths, values of a field): xxh3 in one
/// go over each piece written, seeded by what came before. xxh3's streaming
/// hasher copies every key into a buffer of its own, which at 100,000 paths
/// looked up several times an export was a tenth of an export after one
/// change.
#[derive(Debug, Default, Clone, Copy)]
pub struct QuickHash(u64);

impl std::hash::Hasher for QuickHash {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxhash_rust::xxh3::xxh3_64_with_seed(bytes, self.0);
    }

    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`QuickHash`]ers.
pub type Quick = std::hash::BuildHasherDefault<QuickHash>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Record {
    /// xxh3-128 of the bytes, in hex in the manifest.
    #[serde(with = "hex")]
    pub(super) hash: u128,
    pub(super) len: u64,
    /// xxh3-128 of the view the page was rendered from, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "hex_opt")]
    pub(super) input: Option<u128>,
}

/// A hash in the manifest: 32 hex digits, held as a number.
mod hex {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:032x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        u128::from_str_radix(&text, 16).map_err(D::Error::custom)
    }
}

mod hex_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => super::hex::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u128>, D::Error> {
        #[derive(Deserialize)]
        struct Hex(#[serde(with = "super::hex")] u128);
        Ok(Option::<Hex>::deserialize(d)?.map(|h| h.0))
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub(super) version: u32,
    pub(super) files: BTreeMap<String, Record>,
}

/// xxh3-128 of `bytes`, as the manifest records it: in hex.
pub fn hash(bytes: &[u8]) -> String {
    format!("{:032x}", hash128(bytes))
}

/// xxh3-128 of `bytes`.
pub fn hash128(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}
