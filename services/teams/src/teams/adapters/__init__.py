"""Teams' adapters other than the Mongo stores (`teams.store`): the SMS sink."""
