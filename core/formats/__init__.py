"""Django format modules (FORMAT_MODULE_PATH): where Django's own locale formats read poorly."""
