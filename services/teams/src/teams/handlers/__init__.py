"""Teams' use cases, one module per aggregate, all one shape: take a command, load through a
port, decide in the domain, save with its events and audit records in one write.

- `companies`: reading spaces as their members and admins see them;
- `members`: rights and roles of members;
- `invitations`: invite, confirm by SMS code, resend, revoke, preview and accept by link;
- `claims`: claims of company spaces, reviewed by support.
"""
