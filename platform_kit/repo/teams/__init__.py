"""Pure builders of the teams' directories in the config repo (see `platform_kit.repo.teams.layout`)."""
