"""Operations: load from the database, ask the domain, write and commit. Views call these and stay thin."""
