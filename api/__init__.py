"""The council's service: storage, access and the HTTP API over the matching library."""
