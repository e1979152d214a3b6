//! `GroupChangeEvent` (member 4 of `MessageEventDetail`): group creation and member additions.
//!
//! The reference gives the signed payloads of these actions but not their Thrift layout; the
//! field ids here are the ones `chatxdk` 0.5.2 writes (`prepare_group_create`,
//! `prepare_group_members_change`), checked byte for byte against its output in
//! `tests/vectors/chatxdk-0.5.2-groups.json`. Fields it never wrote are not modelled and are
//! skipped when read.

use super::wire::{Reader, TType, Writer};
use super::{
    ThriftError, ThriftStruct, boolean, fields, int64, list_of, nested, read_nested, string, union,
    write_nested,
};

fn strings(r: &mut Reader<'_>, t: TType) -> Result<Option<Vec<String>>, ThriftError> {
    list_of(r, t, TType::Binary, |r| r.string())
}

fn write_strings(w: &mut Writer, id: i16, v: &[String]) {
    w.field(TType::List, id).list(TType::Binary, v.len());
    for s in v {
        w.binary(s.as_bytes());
    }
}

/// `GroupChangeEvent`: a change to a group, signed by the member who made it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupChangeEvent {
    /// 1: what changed.
    pub change: Option<GroupChange>,
    /// 2: a flag the bindings always write as `false` (its name is not documented).
    pub flag_2: Option<bool>,
}

impl ThriftStruct for GroupChangeEvent {
    const NAME: &'static str = "GroupChangeEvent";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = GroupChangeEvent::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.change = nested(r, t)?,
                2 => v.flag_2 = boolean(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        if let Some(c) = &self.change {
            write_nested(w, 1, c);
        }
        w.opt_bool(2, self.flag_2).stop();
    }
}

/// The union of group changes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GroupChange {
    /// 1: the group was created.
    Create(GroupCreate),
    /// 5: members were added (the conversation key rotates).
    MemberAdd(GroupMemberAdd),
    /// Any other member (removals, admins, title...), by id.
    Other(i16),
}

impl ThriftStruct for GroupChange {
    const NAME: &'static str = "GroupChange";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        union(r, Self::NAME, GroupChange::Other, |r, t, id| {
            Ok(match (id, t) {
                (1, TType::Struct) => Some(GroupChange::Create(read_nested(r)?)),
                (5, TType::Struct) => Some(GroupChange::MemberAdd(read_nested(r)?)),
                _ => None,
            })
        })
    }

    fn write(&self, w: &mut Writer) {
        match self {
            GroupChange::Create(c) => write_nested(w, 1, c),
            GroupChange::MemberAdd(m) => write_nested(w, 5, m),
            GroupChange::Other(id) => {
                w.field(TType::Struct, *id).stop();
            }
        }
        w.stop();
    }
}

/// `GroupCreate`: the members, admins and settings of a new group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupCreate {
    /// 1: every member (the creator included).
    pub member_ids: Vec<String>,
    /// 2: the admins.
    pub admin_ids: Vec<String>,
    /// 3: the title, as signed.
    pub title: Option<String>,
    /// 4: the avatar URL, as signed.
    pub avatar_url: Option<String>,
    /// 5: the first conversation key's version.
    pub conversation_key_version: Option<String>,
    /// 7: message time to live.
    pub ttl_msec: Option<i64>,
}

impl ThriftStruct for GroupCreate {
    const NAME: &'static str = "GroupCreate";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = GroupCreate::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.member_ids = strings(r, t)?.unwrap_or_default(),
                2 => v.admin_ids = strings(r, t)?.unwrap_or_default(),
                3 => v.title = string(r, t)?,
                4 => v.avatar_url = string(r, t)?,
                5 => v.conversation_key_version = string(r, t)?,
                7 => v.ttl_msec = int64(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        write_strings(w, 1, &self.member_ids);
        write_strings(w, 2, &self.admin_ids);
        w.opt_string(3, self.title.as_deref())
            .opt_string(4, self.avatar_url.as_deref())
            .opt_string(5, self.conversation_key_version.as_deref())
            .opt_i64(7, self.ttl_msec)
            .stop();
    }
}

/// `GroupMemberAddChange`: members added to a group, with the group as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupMemberAdd {
    /// 1: the members added.
    pub new_member_ids: Vec<String>,
    /// 2: the members before the change.
    pub current_member_ids: Vec<String>,
    /// 3: the admins.
    pub admin_ids: Vec<String>,
    /// 4: the current title.
    pub title: Option<String>,
    /// 5: the current avatar URL.
    pub avatar_url: Option<String>,
    /// 6: the rotated conversation key's version.
    pub conversation_key_version: Option<String>,
    /// 7: the current message time to live.
    pub ttl_msec: Option<i64>,
    /// 8: members invited but not joined yet.
    pub pending_member_ids: Vec<String>,
    /// 9: whether screen capture is blocked.
    pub screen_capture_blocking: Option<bool>,
}

impl ThriftStruct for GroupMemberAdd {
    const NAME: &'static str = "GroupMemberAddChange";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = GroupMemberAdd::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.new_member_ids = strings(r, t)?.unwrap_or_default(),
                2 => v.current_member_ids = strings(r, t)?.unwrap_or_default(),
                3 => v.admin_ids = strings(r, t)?.unwrap_or_default(),
                4 => v.title = string(r, t)?,
                5 => v.avatar_url = string(r, t)?,
                6 => v.conversation_key_version = string(r, t)?,
                7 => v.ttl_msec = int64(r, t)?,
                8 => v.pending_member_ids = strings(r, t)?.unwrap_or_default(),
                9 => v.screen_capture_blocking = boolean(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        write_strings(w, 1, &self.new_member_ids);
        write_strings(w, 2, &self.current_member_ids);
        write_strings(w, 3, &self.admin_ids);
        w.opt_string(4, self.title.as_deref())
            .opt_string(5, self.avatar_url.as_deref())
            .opt_string(6, self.conversation_key_version.as_deref())
            .opt_i64(7, self.ttl_msec);
        write_strings(w, 8, &self.pending_member_ids);
        w.opt_bool(9, self.screen_capture_blocking).stop();
    }
}
